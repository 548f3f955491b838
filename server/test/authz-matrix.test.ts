/**
 * The authorization matrix (issue 15): every operation of the served OpenAPI document × every
 * principal × every file situation, with the expected answer of each cell, generated from the
 * route list (a new route is covered without editing this file: its request is built from its
 * parameters and JSON schema). Refused cells (401/403/404) must change nothing, and a refused read
 * of something the principal cannot see answers exactly like a missing file (404).
 *
 * Principals: anonymous, a public-link holder (a view link to the shared folder and a drop link
 * to the private one; it presents the link tokens, the only credential it has, as bearer token
 * and cookie: no /api/v1 route may take them), another user, viewer, editor, owner, admin (an
 * admin is nobody special to files). What a link holder may do under /s/ is the links tests'.
 *
 * Situations, each with a target file per principal so a permitted change by one cell cannot
 * disturb another: own — the principal's own file; shared — a file shared on its own (a single-file
 * share, mounted at the recipient's root); mounted — a file inside a shared folder the recipient
 * mounted; outside — the owner's file outside any share.
 */
import { SESSION_COOKIE } from '@coffer/protocol';
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/open.js';
import { issueToken } from '../src/auth/tokens.js';
import { operationsOf, type Operation as Op } from './fixtures/fuzz-requests.js';
import { useTestServer } from './fixtures/server.js';

type Json = Record<string, any>;
type Auth = Record<string, string>;

const PRINCIPALS = ['anonymous', 'link', 'other', 'viewer', 'editor', 'owner', 'admin'] as const;
/** Principals without an account: every operation that needs one answers them 401. */
const NOBODY: readonly Principal[] = ['anonymous', 'link'];
type Principal = (typeof PRINCIPALS)[number];
const SITUATIONS = ['own', 'shared', 'mounted', 'outside'] as const;
type Situation = (typeof SITUATIONS)[number];

/** Where the file of a cell is, as the principal addresses it. */
interface Target {
  path: string;
  id: string;
}

/** What a principal may do in a situation (the owner's rules of files/access.ts, restated). */
function visible(p: Principal, s: Situation): boolean {
  if (NOBODY.includes(p)) return false;
  if (s === 'own' || p === 'owner') return true;
  return (p === 'viewer' || p === 'editor') && (s === 'shared' || s === 'mounted');
}
function writable(p: Principal, s: Situation): boolean {
  if (s === 'own' || p === 'owner') return visible(p, s);
  return p === 'editor' && (s === 'shared' || s === 'mounted');
}
/** A new entry beside the target: the shared file's mount sits at the recipient's own root. */
function parentWritable(p: Principal, s: Situation): boolean {
  if (s === 'shared' && (p === 'viewer' || p === 'editor')) return true;
  return writable(p, s);
}

/** How an operation uses the file: read it, change it, make something new beside it, or delete it. */
function fileUse(op: Op): 'read' | 'write' | 'create' | 'delete' | 'purge' | 'share' | undefined {
  const addressesFile =
    op.query.some((q) => q.name === 'path') ||
    (op.pathParams.includes('id') && /^\/(files|trash)\//.test(op.path)) ||
    ['path', 'from'].some((k) => op.jsonBody?.properties?.[k]);
  if (!addressesFile || op.path.startsWith('/shares')) return undefined;
  if (op.id === 'mkdir' || op.id === 'copy') return 'create';
  // A star is the caller's own mark: whoever may read the entry may star it (it changes nothing of the owner's).
  if (op.id === 'starFile' || op.id === 'unstarFile') return 'read';
  // Making a public link shares the file: the owner's (or a re-sharing editor's, not given here).
  if (op.path.startsWith('/links')) return 'share';
  if (op.path.startsWith('/trash/') && op.method === 'DELETE') return 'purge';
  if (op.id === 'delete') return 'delete';
  return op.method === 'GET' || op.method === 'HEAD' ? 'read' : 'write';
}

type Expect = { status: number } | 'allowed';

function expected(op: Op, p: Principal, s: Situation): Expect {
  if (op.auth !== 'public' && NOBODY.includes(p)) return { status: 401 };
  const use = fileUse(op);
  if (use === undefined) {
    if (op.auth === 'admin' && p !== 'admin') return { status: 403 };
    return 'allowed';
  }
  if (!visible(p, s)) return { status: 404 };
  if (use === 'create') return parentWritable(p, s) ? 'allowed' : { status: 403 };
  if (use === 'read') return 'allowed';
  if (use === 'share') return s === 'own' || p === 'owner' ? 'allowed' : { status: 403 };
  if (!writable(p, s)) return { status: 403 };
  // For good: the owner's alone.
  if (use === 'purge' && p !== 'owner' && s !== 'own') return { status: 403 };
  // The shared root itself is the owner's to delete (a recipient declines instead).
  if (use === 'delete' && s === 'shared' && p !== 'owner') return { status: 403 };
  return 'allowed';
}

/** A request for `op` about `t`: parameters by name (path, id, to, …), other required fields by type. */
function requestFor(op: Op, t: Target, doc: Json): { target: string; body?: string; headers: Auth } {
  const resolve = (x: Json): Json => (x?.$ref ? resolve(x.$ref.split('/').slice(1).reduce((o: Json, k: string) => o[k], doc)) : x);
  const url = op.path.replace(/\{(\w+)\}/g, (_, n: string) => (n === 'id' ? t.id : n === 'sha256' ? 'a'.repeat(64) : '00000000-0000-0000-0000-000000000001'));
  const q = new URLSearchParams();
  const byName: Record<string, string> = { path: t.path, uploadType: 'media', overwrite: 'true', cursor: '0', timeout: '30', rev: '1' };
  for (const p of op.query) {
    if (p.name === 'path' && op.id === 'listFolder') q.set('path', t.path.slice(0, t.path.lastIndexOf('/')) || '/');
    else if (byName[p.name] !== undefined && (p.required || p.name === 'path' || (op.id === 'upload' && p.name === 'overwrite'))) q.set(p.name, byName[p.name]!);
    else if (p.required) q.set(p.name, p.schema.enum?.[0] ?? '1');
  }
  const headers: Auth = {};
  let body: string | undefined;
  if (op.jsonBody) {
    const props = resolve(op.jsonBody).properties ?? {};
    const required: string[] = resolve(op.jsonBody).required ?? [];
    const b: Json = {};
    if (props.path) b.path = op.id === 'mkdir' ? `${t.path}.d` : t.path;
    else if (props.from) b.from = t.path;
    else if (props.id) b.id = t.id;
    if (props.to) b.to = `${t.path}.${op.id}`;
    for (const k of required) {
      if (k in b) continue;
      const v = resolve(props[k] ?? {});
      const s = resolve((v.anyOf ?? v.oneOf)?.[0] ?? v);
      b[k] = s.enum ? s.enum[0] : s.type === 'integer' || s.type === 'number' ? (s.minimum ?? 1) : s.type === 'boolean' ? true : s.type === 'array' ? [] : s.type === 'object' ? {} : 'x';
    }
    if (op.id === 'commitFromBlocks') Object.assign(b, { size: 0, blocks: [], overwrite: true });
    if (op.id === 'restoreRevision') b.rev = 1;
    body = JSON.stringify(b);
    headers['content-type'] = 'application/json';
  } else if (op.rawBody) {
    body = 'matrix bytes';
    headers['content-type'] = 'application/octet-stream';
  }
  const qs = q.toString();
  return { target: `/api/v1${url}${qs ? `?${qs}` : ''}`, body, headers };
}

describe('authorization matrix (postgres)', () => {
  const srv = useTestServer('postgres');
  let doc: Json;
  const users = {} as Record<Exclude<Principal, 'anonymous' | 'link'>, { id: string; username: string; auth: Auth }>;
  let n = 0;
  /** The link holder's credentials: the tokens of the links made in the newest world. */
  let linkAuth: Auth = {};

  beforeAll(async () => {
    doc = (await (await fetch(`${srv.url}/api/v1/openapi.json`)).json()) as Json;
    for (const p of ['other', 'viewer', 'editor', 'owner'] as const) users[p] = await srv.user();
    users.admin = await srv.user({ role: 'admin' });
  }, 60_000);

  async function call(method: string, path: string, auth: Auth, body?: unknown): Promise<Json> {
    const res = await fetch(`${srv.url}/api/v1${path}`, { method, headers: { ...auth, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return text ? (JSON.parse(text) as Json) : {};
  }
  async function put(u: { auth: Auth }, path: string): Promise<Json> {
    const res = await fetch(`${srv.url}/api/v1/upload?uploadType=media&path=${encodeURIComponent(path)}`, { method: 'POST', headers: u.auth, body: `content of ${path}` });
    if (res.status !== 201) throw new Error(`upload ${path}: ${res.status}`);
    return (await res.json()) as Json;
  }
  async function share(path: string, to: 'viewer' | 'editor', mountAs: string, role: 'viewer' | 'editor' = to): Promise<void> {
    const s = await call('POST', '/shares', users.owner.auth, { path, user: users[to].username, role });
    await call('POST', `/shares/${s.id}/accept`, users[to].auth, { name: mountAs });
  }

  /** A fresh world for one operation: every situation's target for every principal. */
  async function world(): Promise<Record<Situation, Record<Principal, Target>>> {
    const k = ++n;
    const w = Object.fromEntries(SITUATIONS.map((s) => [s, {}])) as Record<Situation, Record<Principal, Target>>;
    const owner = users.owner;
    await call('POST', '/mkdir', owner.auth, { path: `/m${k}/Team`, parents: true });
    await call('POST', '/mkdir', owner.auth, { path: `/m${k}/Private` });
    await call('POST', '/mkdir', owner.auth, { path: `/m${k}/Single` });
    await share(`/m${k}/Team`, 'viewer', `Team${k}`);
    await share(`/m${k}/Team`, 'editor', `Team${k}`);
    const view = await call('POST', '/links', owner.auth, { path: `/m${k}/Team` });
    const drop = await call('POST', '/links', owner.auth, { path: `/m${k}/Private`, kind: 'drop' });
    const tokenOf = (l: Json) => String(l.url).split('/s/')[1]!;
    linkAuth = { authorization: `Bearer ${tokenOf(view)}`, cookie: `${SESSION_COOKIE}=${tokenOf(drop)}` };
    for (const p of PRINCIPALS) {
      const who = p === 'anonymous' ? 'x' : p;
      // own (nobody's own is the owner's)
      const ownerOfOwn = p === 'anonymous' || p === 'link' ? owner : users[p];
      const own = await put(ownerOfOwn, `/own${k}-${who}.txt`);
      w.own[p] = { path: own.path, id: own.id };
      // mounted: a file in the shared folder (recipients address it through their mount)
      const m = await put(owner, `/m${k}/Team/t-${who}.txt`);
      w.mounted[p] = { path: p === 'viewer' || p === 'editor' ? `/Team${k}/t-${who}.txt` : m.path, id: m.id };
      // shared: a file shared on its own, mounted at the recipient's root
      const sf = await put(owner, `/m${k}/Single/s-${who}.txt`);
      if (p === 'viewer' || p === 'editor') await share(sf.path, p, `s${k}-${who}.txt`);
      else await share(sf.path, 'viewer', `s${k}-${who}.txt`);
      w.shared[p] = { path: p === 'viewer' || p === 'editor' ? `/s${k}-${who}.txt` : sf.path, id: sf.id };
      // outside any share
      const o = await put(owner, `/m${k}/Private/p-${who}.txt`);
      w.outside[p] = { path: o.path, id: o.id };
    }
    return w;
  }

  /** Everything a request could change, in one value. */
  async function snapshot(): Promise<string> {
    const [row] = rowsOf<Json>(
      await srv.database.db.execute(sql`select
        (select md5(coalesce(string_agg(concat_ws('|', id, parent_id, namespace_id, name, rev, size, trashed_at, pending, mount_share_id), ',' order by id), '')) from files) as files,
        (select count(*) from file_versions) as versions, (select count(*) from journal) as journal,
        (select count(*) from shares) as shares, (select count(*) from share_mounts) as mounts,
        (select count(*) from notifications) as notes, (select sum(used_bytes) from users) as used,
        (select count(*) from upload_sessions) as sessions, (select count(*) from stars) as stars,
        (select count(*) from thumbnails) as thumbnails`),
    );
    return JSON.stringify(row);
  }

  async function tokenFor(p: Principal, op: Op): Promise<Auth> {
    if (p === 'anonymous') return {};
    if (p === 'link') return linkAuth;
    // Sign-in operations (logout) may end the token they are sent with: a fresh one each time.
    if (op.path.startsWith('/auth/')) return { authorization: `Bearer ${(await issueToken(srv.database.db, users[p].id, 'device')).token}` };
    return users[p].auth;
  }

  it('every route × principal × situation answers as expected; refusals change nothing and look like missing files', async () => {
    const ops = operationsOf(doc);
    expect(ops.length).toBeGreaterThan(60);
    const failures: string[] = [];
    let cells = 0;
    for (const op of ops) {
      if (op.id === 'getOpenApi') continue;
      const fileOp = fileUse(op) !== undefined;
      const w = fileOp ? await world() : undefined;
      for (const p of PRINCIPALS) {
        for (const s of fileOp ? SITUATIONS : (['own'] as const)) {
          const t = w ? w[s][p] : { path: '/none.txt', id: '00000000-0000-0000-0000-000000000002' };
          const req = requestFor(op, t, doc);
          const want = expected(op, p, s);
          const refused = want !== 'allowed';
          const before = refused ? await snapshot() : '';
          const res = await fetch(`${srv.url}${req.target}`, { method: op.method, headers: { ...(await tokenFor(p, op)), ...req.headers, 'x-coffer-csrf': '1' }, body: req.body });
          const text = op.method === 'HEAD' ? '' : await res.text();
          cells++;
          const cell = `${op.id} ${op.method} ${req.target} as ${p} on ${s}`;
          if (want === 'allowed') {
            // A public operation may refuse the made-up credentials in its body (401 invalid_credentials).
            if (op.auth === 'public' ? res.status >= 500 : [401, 403].includes(res.status) || res.status >= 500 || (fileOp && res.status === 404)) failures.push(`${cell}: ${res.status} ${text.slice(0, 160)}`);
            continue;
          }
          if (res.status !== want.status) failures.push(`${cell}: ${res.status}, expected ${want.status} ${text.slice(0, 160)}`);
          // Not seen is not found: the same code as a missing file.
          if (want.status === 404 && op.method !== 'HEAD' && !/"code":"(not_found|parent_not_found|block_not_found)"/.test(text)) failures.push(`${cell}: 404 unlike a missing file: ${text.slice(0, 160)}`);
          if ((await snapshot()) !== before) failures.push(`${cell}: refused (${res.status}) but changed something`);
        }
      }
    }
    console.log(`authz matrix: ${ops.length} operations, ${ops.filter((o) => fileUse(o)).length} about files, ${cells} cells`);
    expect(failures).toEqual([]);
    expect(cells).toBeGreaterThan(500);
  }, 300_000);
});
