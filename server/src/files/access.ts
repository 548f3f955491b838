/**
 * The one place permission decisions are made: can this principal do this to this file?
 * A user reaches their own namespace whole (admins included: an admin manages accounts, not other
 * people's files), and the subtrees shared with them or one of their groups, by role:
 * viewer — read; editor — read, write, delete to the trash inside (not the shared root itself;
 * purging for good is the owner's alone); share —
 * the owner, or an editor of a share that allows re-sharing. Every route asks through `can`
 * (tree.ts, listing, uploads, downloads, blocks), so WebDAV and the web app get the same answers.
 *
 * Grants are read once per request: cached against the request's principal object (the
 * authenticate middleware makes a new one per request), so a revocation bites on the next request.
 */
import { sql } from 'drizzle-orm';
import type { AuthUser } from '../auth/context.js';
import { rowsOf, type Db } from '../db/open.js';
import { ancestorsCte } from './ancestors.js';

/** `purge`: delete for good (from the trash), the owner's alone. */
export type FileAction = 'read' | 'write' | 'delete' | 'purge' | 'share';

/** A signed-in user (the request's caller). */
export type UserPrincipal = AuthUser;

/**
 * Who asks. EXTENSION POINT (public links, issue 15 part B): add `| LinkPrincipal` here, a
 * principal with `kind: 'link'` naming the link's file and its rights, and answer it in `can`
 * below before the user branch (a link reaches only its own subtree; it has no namespace).
 */
export type Principal = UserPrincipal;

export interface Guarded {
  id?: string;
  namespaceId: string;
}

export interface Grant {
  shareId: string;
  /** The shared folder or file. */
  rootId: string;
  namespaceId: string;
  role: 'viewer' | 'editor';
  allowReshare: boolean;
}

const grantCache = new WeakMap<object, Promise<Grant[]>>();

/** The shares reaching the user, directly or through a group (once per request). */
export function grantsOf(db: Db, user: UserPrincipal): Promise<Grant[]> {
  let grants = grantCache.get(user);
  if (!grants) {
    grants = readGrants(db, user.id);
    grantCache.set(user, grants);
    grants.catch(() => grantCache.delete(user)); // a failed read is not remembered
  }
  return grants;
}

/** Forget what this request read (after the request itself changed shares). */
export function forgetGrants(user: UserPrincipal): void {
  grantCache.delete(user);
}

async function readGrants(db: Db, userId: string): Promise<Grant[]> {
  const rows = rowsOf<{ share_id: string; root_id: string; namespace_id: string; role: 'viewer' | 'editor'; allow_reshare: boolean }>(
    await db.execute(sql`
      select s.id as share_id, s.file_id as root_id, s.namespace_id, s.role, s.allow_reshare from shares s
      where s.grantee_user_id = ${userId}
         or s.grantee_group_id in (select group_id from group_members where user_id = ${userId})`),
  );
  return rows.map((r) => ({ shareId: r.share_id, rootId: r.root_id, namespaceId: r.namespace_id, role: r.role, allowReshare: r.allow_reshare }));
}

/** The strongest grant covering `file` (it or an ancestor is a shared root), if any. */
export async function grantFor(db: Db, user: UserPrincipal, file: Guarded & { id: string }): Promise<Grant | undefined> {
  const grants = (await grantsOf(db, user)).filter((g) => g.namespaceId === file.namespaceId);
  if (grants.length === 0) return undefined;
  const ancestors = new Set(
    rowsOf<{ id: string }>(
      await db.execute(sql`${ancestorsCte(file.id)} select id from up`),
    ).map((r) => r.id),
  );
  const covering = grants.filter((g) => ancestors.has(g.rootId));
  return covering.find((g) => g.role === 'editor' && g.allowReshare) ?? covering.find((g) => g.role === 'editor') ?? covering[0];
}

export async function can(db: Db, principal: Principal, action: FileAction, file: Guarded): Promise<boolean> {
  if (file.namespaceId === principal.namespaceId) return true;
  if (file.id === undefined) return false;
  const grant = await grantFor(db, principal, { ...file, id: file.id });
  if (!grant) return false;
  switch (action) {
    case 'read':
      return true;
    case 'write':
      return grant.role === 'editor';
    case 'delete':
      // The shared root itself is the owner's to delete; a recipient leaves it by declining.
      return grant.role === 'editor' && grant.rootId !== file.id;
    case 'share':
      return grant.role === 'editor' && grant.allowReshare;
    case 'purge':
      return false;
  }
}
