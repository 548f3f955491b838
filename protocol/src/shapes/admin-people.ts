/** People on the wire, beyond the account itself (admin.ts): what deleting one ends, and their ways in. */
import { z } from 'zod';
import { count, id } from '../fields.js';
import { timestamp } from './common.js';
import { AdminUser } from './admin.js';

export const UserDeletePreview = z
  .object({
    user: AdminUser,
    files: count().register(z.globalRegistry, { description: 'Files in the account’s own tree (trash included) that go with it' }),
    folders: count(),
    bytes: count().register(z.globalRegistry, { description: 'Bytes of those files’ kept versions (freed once the storage jobs run)' }),
    sharesEnding: count().register(z.globalRegistry, { description: 'Shares the account offered or received, which end' }),
    linksEnding: count().register(z.globalRegistry, { description: 'Public links and file drops it made, which stop working' }),
    devices: count(),
    tokens: count().register(z.globalRegistry, { description: 'Sessions, device tokens and app passwords, all revoked' }),
  })
  .register(z.globalRegistry, { id: 'UserDeletePreview', description: 'What deleting an account does, before it is done.' });
export type UserDeletePreview = z.infer<typeof UserDeletePreview>;

export const AdminDevice = z
  .object({ id: id(), name: z.string(), kind: z.string(), lastSeenAt: timestamp(), createdAt: timestamp() })
  .register(z.globalRegistry, { id: 'AdminDevice' });

export const ADMIN_TOKEN_KINDS = ['session', 'device', 'app_password'] as const;
export const AdminToken = z
  .object({
    id: id(),
    kind: z.enum(ADMIN_TOKEN_KINDS).register(z.globalRegistry, { description: '`session`: a browser sign-in; `device`: a client’s token; `app_password`: for WebDAV and scripts' }),
    label: z.string().nullable(),
    deviceId: id().nullable(),
    createdAt: timestamp(),
    lastUsedAt: timestamp().nullable(),
    expiresAt: timestamp().nullable(),
  })
  .register(z.globalRegistry, { id: 'AdminToken', description: 'A credential of an account (never the token itself or its hash).' });
export type AdminToken = z.infer<typeof AdminToken>;

export const UserAccess = z
  .object({ devices: z.array(AdminDevice), tokens: z.array(AdminToken).register(z.globalRegistry, { description: 'Newest first' }) })
  .register(z.globalRegistry, { id: 'UserAccess', description: 'An account’s devices, open sessions and app passwords.' });
export type UserAccess = z.infer<typeof UserAccess>;

export const UserTokenParams = z.object({ id: id(), tokenId: id() });
export const UserDeviceParams = z.object({ id: id(), deviceId: id() });
export const Revoked = z.object({ revoked: count() }).register(z.globalRegistry, { id: 'Revoked' });
