/**
 * The owner's side of links: create (a file or folder the caller may share; a drop needs a
 * folder), list, read, change (disable, password, expiry, limit) and delete. A link belongs to
 * whoever made it; another user's link id answers 404 like a missing one.
 */
import { randomBytes } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import type { Link, LinkCreate, LinkUpdate } from '@coffer/protocol';
import { recordAudit, type Actor } from '../audit/record.js';
import type { AuthUser } from '../auth/context.js';
import { hashPassword } from '../auth/passwords.js';
import { hashToken } from '../auth/tokens.js';
import type { Db } from '../db/open.js';
import { files, links } from '../db/schema.js';
import { pathsOf } from '../files/subtree.js';
import { entryById, entryByPath, pathOf } from '../files/tree.js';
import { ConflictError, NotFoundError } from '../http-errors.js';
import { checkLinkPolicy, type LinkPolicy } from './policy.js';
import { linkView, type LinkRow } from './view.js';

/** 32 random bytes, base64url (43 characters): 256 bits, twice the 128 asked of a bearer secret. */
export function newLinkToken(): string {
  return randomBytes(32).toString('base64url');
}

export async function createLink(
  db: Db,
  user: AuthUser,
  body: LinkCreate & { kind: 'view' | 'drop' },
  urlOf: (token: string) => string,
  policy: LinkPolicy,
  actor?: Actor,
): Promise<Link> {
  checkLinkPolicy(policy, { hasPassword: body.password !== undefined, expiresAt: body.expiresAt === undefined ? null : new Date(body.expiresAt) });
  const found = body.path !== undefined ? await entryByPath(db, user, body.path, 'share') : { row: await entryById(db, user, body.fileId!, 'share') };
  const entry = found.row;
  if (entry.trashedAt) throw new NotFoundError('no such file or folder');
  if (body.kind === 'drop' && !entry.isDir) throw new ConflictError('a file drop needs a folder', { code: 'not_a_folder' });
  const token = newLinkToken();
  const [row] = await db
    .insert(links)
    .values({
      ownerId: user.id,
      fileId: entry.id,
      kind: body.kind,
      tokenHash: hashToken(token),
      passwordHash: body.password === undefined ? null : await hashPassword(body.password),
      expiresAt: body.expiresAt === undefined ? null : new Date(body.expiresAt),
      maxDownloads: body.maxDownloads ?? null,
    })
    .returning();
  if (actor) await recordAudit(db, actor, { kind: 'link_created', target: row!.id, details: { kind: body.kind, fileId: entry.id, password: body.password !== undefined, expiresAt: body.expiresAt ?? null } });
  return linkView(row!, { path: await pathOf(db, entry), isDir: entry.isDir }, urlOf(token));
}

export async function listLinks(db: Db, user: AuthUser): Promise<Link[]> {
  const rows = await db
    .select({ link: links, isDir: files.isDir })
    .from(links)
    .innerJoin(files, eq(files.id, links.fileId))
    .where(eq(links.ownerId, user.id))
    .orderBy(desc(links.createdAt), desc(links.id));
  const paths = await pathsOf(
    db,
    rows.map((r) => r.link.fileId),
  );
  return rows.map((r) => linkView(r.link, { path: paths.get(r.link.fileId) ?? '', isDir: r.isDir }));
}

async function ownLink(db: Db, user: AuthUser, id: string): Promise<LinkRow> {
  const [row] = await db
    .select()
    .from(links)
    .where(and(eq(links.id, id), eq(links.ownerId, user.id)));
  if (!row) throw new NotFoundError('No such link');
  return row;
}

async function withEntry(db: Db, row: LinkRow): Promise<Link> {
  const [entry] = await db.select().from(files).where(eq(files.id, row.fileId));
  return linkView(row, { path: entry ? await pathOf(db, entry) : '', isDir: entry?.isDir ?? false });
}

export async function getLink(db: Db, user: AuthUser, id: string): Promise<Link> {
  return withEntry(db, await ownLink(db, user, id));
}

export async function updateLink(db: Db, user: AuthUser, id: string, body: LinkUpdate, policy: LinkPolicy, actor?: Actor): Promise<Link> {
  const current = await ownLink(db, user, id);
  // A change that loosens the link (its password or expiry) must meet the policy; disabling one never has to.
  if (body.password !== undefined || body.expiresAt !== undefined || body.disabled === false) {
    checkLinkPolicy(policy, {
      hasPassword: body.password === undefined ? current.passwordHash !== null : body.password !== null,
      expiresAt: body.expiresAt === undefined ? current.expiresAt : body.expiresAt === null ? null : new Date(body.expiresAt),
    });
  }
  const set: Partial<typeof links.$inferInsert> = {};
  if (body.disabled !== undefined) set.disabledAt = body.disabled ? (current.disabledAt ?? new Date()) : null;
  if (body.password !== undefined) set.passwordHash = body.password === null ? null : await hashPassword(body.password);
  if (body.expiresAt !== undefined) set.expiresAt = body.expiresAt === null ? null : new Date(body.expiresAt);
  if (body.maxDownloads !== undefined) set.maxDownloads = body.maxDownloads;
  if (Object.keys(set).length === 0) return withEntry(db, current);
  const [row] = await db
    .update(links)
    .set(set)
    .where(and(eq(links.id, id), eq(links.ownerId, user.id)))
    .returning();
  if (!row) throw new NotFoundError('No such link');
  if (actor && body.disabled === true && !current.disabledAt) await recordAudit(db, actor, { kind: 'link_revoked', target: id, details: { disabled: true } });
  return withEntry(db, row);
}

export async function deleteLink(db: Db, user: AuthUser, id: string, actor?: Actor): Promise<void> {
  const gone = await db
    .delete(links)
    .where(and(eq(links.id, id), eq(links.ownerId, user.id)))
    .returning({ id: links.id, kind: links.kind });
  if (gone.length === 0) throw new NotFoundError('No such link');
  if (actor) await recordAudit(db, actor, { kind: 'link_revoked', target: id, details: { kind: gone[0]!.kind, deleted: true } });
}
