/**
 * What a link token may do, on which subtree: the one place link authorization is decided (the
 * account permission function, files/access.ts, knows nothing of links). A `view` link reads its
 * file, or lists and reads anything under its folder; a `drop` link only adds files directly into
 * its folder — it can neither list nor read, not even what it dropped. Paths given with a link are
 * relative to the linked folder and walked from it, so nothing outside it can be named.
 *
 * A token that names no link answers 404 exactly like a wrong password (guard.ts); a link that
 * exists but expired, was disabled, reached its download limit or whose target is in the trash
 * answers 410 `link_gone`.
 */
import { eq } from 'drizzle-orm';
import { isLinkToken } from '@coffer/protocol';
import type { AuthUser } from '../auth/context.js';
import { hashToken } from '../auth/tokens.js';
import type { Db } from '../db/open.js';
import { files, links, users } from '../db/schema.js';
import { can } from '../files/access.js';
import { entryAt, pathOf } from '../files/tree.js';
import type { FileRow } from '../files/view.js';
import { HttpError, NotFoundError } from '../http-errors.js';
import { parsePath } from '../names.js';
import type { LinkRow } from './view.js';

export type LinkAction = 'list' | 'read' | 'drop';

const ALLOWED: Record<LinkRow['kind'], readonly LinkAction[]> = { view: ['list', 'read'], drop: ['drop'] };

export function linkAllows(link: Pick<LinkRow, 'kind'>, action: LinkAction): boolean {
  return ALLOWED[link.kind].includes(action);
}

/** The answer for any token that names nothing the caller may use (same body whatever the reason). */
export function missingLink(): NotFoundError {
  return new NotFoundError('No such link');
}

export function linkGone(why: string): HttpError {
  return new HttpError(410, 'link_gone', why);
}

/** The link a token names, if any. Its state is checked by `checkLive` (after the password). */
export async function linkByToken(db: Db, token: string): Promise<LinkRow | undefined> {
  if (!isLinkToken(token)) return undefined;
  const [row] = await db.select().from(links).where(eq(links.tokenHash, hashToken(token)));
  return row;
}

/** 410 `link_gone` unless the link is enabled, unexpired and under its download limit. */
export function checkLive(link: LinkRow, now = new Date()): void {
  if (link.disabledAt) throw linkGone('This link was disabled');
  if (link.expiresAt && link.expiresAt <= now) throw linkGone('This link has expired');
  if (link.maxDownloads !== null && link.downloads >= link.maxDownloads) throw linkGone('This link reached its download limit');
}

/** The linked entry and where it is now; 410 when it is in the trash (a restore brings the link back). */
export interface LinkTarget {
  link: LinkRow;
  entry: FileRow;
  /** The entry's path in its namespace. */
  path: string;
  /**
   * Whom the link acts as on the tree: the owner of the entry's namespace, so paths resolve there
   * and drops are charged to that quota (the link's maker, when sharing lets an editor make one,
   * is not who pays). The maker is told of drops and limits.
   */
  owner: AuthUser;
}

export async function linkTarget(db: Db, link: LinkRow): Promise<LinkTarget> {
  const [entry] = await db.select().from(files).where(eq(files.id, link.fileId));
  if (!entry || entry.trashedAt) throw linkGone('The linked file or folder was deleted');
  const [maker] = await db.select().from(users).where(eq(users.id, link.ownerId));
  // A link lives only while its maker may still share what it names (an account disabled, a share revoked: gone).
  if (!maker || maker.disabled || !(await can(db, callerOf(maker), 'share', entry))) throw missingLink();
  const [owner] = maker.namespaceId === entry.namespaceId ? [maker] : await db.select().from(users).where(eq(users.namespaceId, entry.namespaceId));
  if (!owner || owner.disabled) throw missingLink();
  return { link, entry, path: await pathOf(db, entry), owner: callerOf(owner) };
}

/** A user row as the services that read and write the tree take their caller. */
function callerOf(u: typeof users.$inferSelect): AuthUser {
  return { id: u.id, username: u.username, role: u.role, namespaceId: u.namespaceId, tokenKind: 'session', mustChangePassword: false };
}

/**
 * The entry at `relPath` (relative to the linked folder; `/` or none is the linked entry itself)
 * for `action`, or 404 like a missing link's content. Only the kinds' actions pass.
 */
export async function entryInLink(db: Db, t: LinkTarget, action: LinkAction, relPath?: string): Promise<{ row: FileRow; relPath: string; path: string }> {
  if (!linkAllows(t.link, action)) throw missingLink();
  const rel = relPath === undefined ? [] : parsePath(relPath);
  if (rel.length === 0) return { row: t.entry, relPath: '/', path: t.path };
  if (!t.entry.isDir) throw new NotFoundError('Nothing at that path in this link');
  const segments = [...parsePath(t.path), ...rel];
  const row = await entryAt(db, t.entry.namespaceId, segments);
  if (!row) throw new NotFoundError('Nothing at that path in this link');
  return { row, relPath: `/${rel.join('/')}`, path: `/${segments.join('/')}` };
}
