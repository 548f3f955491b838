/**
 * The one place permission decisions are made: can this user do this to this file?
 * Today a user reaches exactly their own namespace (admins included: an admin manages accounts,
 * not other people's files). Sharing plugs in here later, so every route asks through `can`.
 */
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';

export type FileAction = 'read' | 'write' | 'delete' | 'share';

export interface Guarded {
  namespaceId: string;
}

export async function can(_db: Db, user: AuthUser, _action: FileAction, file: Guarded): Promise<boolean> {
  return file.namespaceId === user.namespaceId;
}
