/**
 * LOCK and UNLOCK (RFC 4918 §9.10, 9.11): exclusive and shared write locks, Depth 0 or infinity,
 * timeouts (Second-N, Infinite capped), refresh by an If header with the token and no body,
 * and a lock on an unmapped URL creating an empty file there (the RFC's successor of lock-null
 * resources: Windows and davfs2 LOCK before their first PUT).
 */
import { randomUUID } from 'node:crypto';
import { WEBDAV_LIMITS } from '@coffer/protocol';
import { BadRequestError, ConflictError } from '../http-errors.js';
import { simpleUpload } from '../uploads/simple.js';
import { readXml } from './body.js';
import { resolveResource, type DavContext } from './context.js';
import { checkIf, guardWrite, lockedError } from './guard.js';
import { covers, deleteLock, insertLock, locksCovering, locksNear, refreshLock, type LockRow } from './lock-store.js';
import { hrefOf, storedSegments } from './paths.js';
import { activeLockXml, DAV } from './props.js';
import { child, escapeText, invalidXml, serialize } from './xml.js';
import { xmlAnswer } from './answers.js';

export async function lock(ctx: DavContext): Promise<Response> {
  const { c, deps, user } = ctx;
  const body = await readXml(c);
  const seconds = timeoutOf(c.req.header('timeout'));
  const r = await resolveResource(deps.db, user, ctx.path.segments);

  if (!body) {
    // A refresh: the If header names the lock.
    const { tokens } = await checkIf(ctx);
    const held = (await locksCovering(deps.db, user.namespaceId, r.lockKey)).filter((l) => tokens.has(l.token));
    if (held.length === 0) throw new BadRequestError('a LOCK without a body refreshes a lock: name its token in an If header');
    const refreshed = await refreshLock(deps.db, held[0]!.token, seconds);
    const self = refreshed!.pathKey === r.lockKey ? hrefOf(ctx.path.base, storedSegments(r.treePath), r.isDir) : undefined;
    return lockAnswer(refreshed!, ctx.path.base, 200, self);
  }

  if (body.ns !== DAV || body.name !== 'lockinfo') throw invalidXml('LOCK takes a DAV:lockinfo element');
  const scope = child(body, DAV, 'lockscope');
  const exclusive = scope ? child(scope, DAV, 'exclusive') !== undefined : false;
  if (!scope || (!exclusive && !child(scope, DAV, 'shared'))) throw invalidXml('DAV:lockscope must be exclusive or shared');
  const type = child(body, DAV, 'locktype');
  if (!type || !child(type, DAV, 'write')) throw invalidXml('DAV:locktype must be write');
  const owner = child(body, DAV, 'owner');
  const ownerXml = owner ? owner.children.map((k) => (typeof k === 'string' ? escapeText(k) : serialize(k, null))).join('') : '';
  const depthHeader = (c.req.header('depth') ?? 'infinity').trim().toLowerCase();
  if (depthHeader !== '0' && depthHeader !== 'infinity') throw new BadRequestError('LOCK takes Depth 0 or infinity');
  const depthInfinity = depthHeader === 'infinity' && (r.isDir || !r.exists);

  if (!r.exists && !r.parentExists) throw new ConflictError('the folder it would be in does not exist', { code: 'parent_not_found' });
  // A new file is a change to its folder (its locks' tokens are needed); this also drops a stale lock at the name.
  if (!r.exists) await guardWrite(ctx, [{ segments: r.segments, missing: true }]);
  else await checkIf(ctx);
  // Conflicts: anything locked on, above or (for a depth-infinity lock) below it.
  const near = await locksNear(deps.db, user.namespaceId, r.lockKey);
  const relevant = near.filter((l) => covers(l, r.lockKey) || (depthInfinity && l.pathKey.startsWith(r.lockKey === '/' ? '/' : `${r.lockKey}/`)));
  if (relevant.some((l) => exclusive || l.exclusive)) throw lockedError(r.treePath);

  let created = false;
  if (!r.exists) {
    await simpleUpload(deps, user, { path: r.treePath, baseRev: null, overwrite: false, length: 0 }, null);
    created = true;
  }
  const row: LockRow = {
    token: `opaquelocktoken:${randomUUID()}`,
    namespaceId: user.namespaceId,
    pathKey: r.lockKey,
    depthInfinity,
    exclusive,
    ownerXml,
    userId: user.id,
    timeoutSeconds: seconds,
    expiresAt: new Date(Date.now() + seconds * 1000),
  };
  await insertLock(deps.db, row);
  return lockAnswer(row, ctx.path.base, created ? 201 : 200, hrefOf(ctx.path.base, storedSegments(r.treePath), r.isDir));
}

export async function unlock(ctx: DavContext): Promise<Response> {
  const header = ctx.c.req.header('lock-token')?.trim();
  const m = header ? /^<([^>]+)>$/.exec(header) : null;
  if (!m) throw new BadRequestError('UNLOCK needs a Lock-Token header: <token>');
  const r = await resolveResource(ctx.deps.db, ctx.user, ctx.path.segments);
  const held = await locksCovering(ctx.deps.db, ctx.user.namespaceId, r.lockKey);
  const l = held.find((x) => x.token === m[1]);
  if (!l) throw new ConflictError('that lock does not cover this resource', { details: { dav: 'lock-token-matches-request-uri' } });
  await deleteLock(ctx.deps.db, l.token);
  return new Response(null, { status: 204 });
}

function lockAnswer(l: LockRow, base: string, status: number, rootHref?: string): Response {
  const xml = `<?xml version="1.0" encoding="utf-8"?>\n<D:prop xmlns:D="DAV:"><D:lockdiscovery>${activeLockXml(l, base, rootHref)}</D:lockdiscovery></D:prop>`;
  return xmlAnswer(status, xml, { 'Lock-Token': `<${l.token}>` });
}

/** `Timeout: Second-3600, Infinite`: the first the server can grant, capped; none: the default. */
export function timeoutOf(header: string | undefined): number {
  if (!header) return WEBDAV_LIMITS.defaultLockSeconds;
  for (const part of header.split(',')) {
    const t = part.trim();
    if (/^infinite$/i.test(t)) return WEBDAV_LIMITS.maxLockSeconds;
    const m = /^second-(\d{1,12})$/i.exec(t);
    if (m) return Math.max(1, Math.min(Number(m[1]), WEBDAV_LIMITS.maxLockSeconds));
  }
  return WEBDAV_LIMITS.defaultLockSeconds;
}


