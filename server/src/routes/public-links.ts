/**
 * Public links, served under /s/{token}: outside /api/v1 and without `authenticate`, so no
 * session cookie or bearer token is ever read or set here — a link acts for nobody but itself.
 *
 *   GET  /s/{token}[?path=/sub]            what the link is (a view link of a folder: its entries);
 *                                          a browser navigating here gets the app's page instead
 *   GET  /s/{token}/download[?path=/f]     a file's bytes (Range, ETag as in /api/v1/download),
 *                                          or a folder as a streamed zip
 *   POST /s/{token}/upload?name=a.pdf      a drop link: the body is the file (201 { name, size })
 *
 * The password, when the link has one, comes in `X-Coffer-Link-Password` (UTF-8, percent-encoded
 * where it is not plain ASCII). Every answer carries the headers of user content (nosniff, a
 * sandboxing CSP), no Referer leaves with the token, and nothing is cached or indexed.
 */
import { Hono, type Context } from 'hono';
import { PublicDropQuery, PublicListQuery, PublicPathQuery, type PublicLinkView } from '@coffer/protocol';
import { clientIp } from '../auth/client-ip.js';
import { contentLength, declaredLength } from '../content-length.js';
import type { AppDeps } from '../deps.js';
import { sendVersion } from '../downloads/send.js';
import { contentDisposition } from '../downloads/disposition.js';
import { USER_CONTENT_CSP } from '../downloads/user-content.js';
import { listFolder } from '../files/listing.js';
import { versionOf } from '../files/revisions.js';
import { etagOf } from '../files/view.js';
import { parse } from '../http-errors.js';
import { countDownload, countsAsDownload } from '../links/download-count.js';
import { dropFile } from '../links/drop.js';
import { LinkGuard } from '../links/guard.js';
import { checkLive, entryInLink, linkByToken, linkTarget, type LinkTarget } from '../links/link-access.js';
import { folderZip } from '../links/zip.js';
import { discardBody } from '../uploads/body.js';
import { wantsPage } from '../web/static.js';

const PASSWORD_HEADER = 'x-coffer-link-password';
/** Entries per page of a folder link's listing. */
const LIST_LIMIT = 500;

export function publicLinkRoutes(deps: AppDeps, guard = new LinkGuard()): Hono {
  const { db } = deps;
  const app = new Hono();

  app.use('*', async (c, next) => {
    try {
      await next();
    } finally {
      const h = c.res.headers;
      h.set('X-Content-Type-Options', 'nosniff');
      if (!h.has('Content-Security-Policy')) h.set('Content-Security-Policy', USER_CONTENT_CSP);
      h.set('Referrer-Policy', 'no-referrer');
      h.set('X-Robots-Tag', 'noindex, nofollow');
      h.set('Cache-Control', 'private, no-store');
    }
  });

  /** Rate limits, the token, the password, then the link's state: in that order, so nothing is told before the password. */
  async function open(c: Context): Promise<LinkTarget> {
    const token = c.req.param('token') ?? '';
    const ip = clientIp(c, deps.config.trustProxy);
    guard.request(token, ip);
    const password = passwordOf(c.req.header(PASSWORD_HEADER));
    const link = (await linkByToken(db, token)) ?? (await guard.unknown(password));
    await guard.password(link, password, ip);
    checkLive(link);
    return linkTarget(db, link);
  }

  app.get('/:token', async (c, next) => {
    // A browser opening the link as a page gets the app, which shows the link (web/static.ts);
    // the app's own fetch of this URL (Accept: application/json) gets the JSON below.
    if (wantsPage(c)) return next();
    const t = await open(c);
    const { path, cursor } = parse(PublicListQuery, c.req.query());
    const base = { kind: t.link.kind, expiresAt: t.link.expiresAt?.toISOString() ?? null };
    // A drop link names its folder and nothing in it (entryInLink refuses a path: 404).
    if (t.link.kind === 'drop' && path === undefined && cursor === undefined) return c.json({ ...base, name: t.entry.name, isDir: true, size: 0 } satisfies PublicLinkView);
    const at = await entryInLink(db, t, 'list', path);
    const view: PublicLinkView = { ...base, name: at.row.name, isDir: at.row.isDir, size: at.row.size };
    if (at.row.isDir) {
      const page = await listFolder(db, t.owner, { path: at.path, limit: LIST_LIMIT, cursor, sort: 'name', order: 'asc' });
      if (page.cursor !== undefined) view.cursor = page.cursor;
      const prefix = at.relPath === '/' ? '' : at.relPath;
      view.entries = page.entries.map((f) => ({ name: f.name, path: `${prefix}/${f.name}`, isDir: f.isDir, size: f.size, modifiedAt: f.modifiedAt }));
    }
    return c.json(view);
  });

  app.get('/:token/download', async (c) => {
    const t = await open(c);
    const { path } = parse(PublicPathQuery, c.req.query());
    const at = await entryInLink(db, t, 'read', path);
    if (at.row.isDir) {
      const zip = await folderZip(deps, at.row);
      if (c.req.method === 'HEAD') return c.body(null, 200, zipHeaders(at.row.name, zip.length));
      await countDownload(db, t);
      return c.body(zip.stream, 200, zipHeaders(at.row.name, zip.length));
    }
    const version = await versionOf(db, at.row);
    if (countsAsDownload(c.req.method, c.req.header('if-none-match'), etagOf(version.contentHash))) await countDownload(db, t);
    return sendVersion(c, deps, at.row.name, version);
  });

  app.post('/:token/upload', async (c) => {
    try {
      const t = await open(c);
      const { name } = parse(PublicDropQuery, c.req.query());
      await entryInLink(db, t, 'drop');
      const dropped = await dropFile(deps, t, name, contentLength(c.req.header('content-length')), c.req.raw.body);
      return c.json(dropped, 201);
    } catch (err) {
      // Refused before the body was read: drain a small one so the client sees the answer, not a reset.
      await discardBody(c.req.raw.body, declaredLength(c.req.header('content-length')));
      throw err;
    }
  });

  return app;
}

function zipHeaders(name: string, length: number): Record<string, string> {
  return { 'Content-Type': 'application/zip', 'Content-Disposition': contentDisposition(`${name}.zip`, false), 'Content-Length': String(length) };
}

/** The header's password: percent-decoded (a password outside ASCII cannot travel raw); undecodable is simply wrong. */
function passwordOf(h: string | undefined): string | undefined {
  if (h === undefined) return undefined;
  try {
    return decodeURIComponent(h);
  } catch {
    return `\u0000${h}`; // matches no stored password (they cannot hold NUL)
  }
}
