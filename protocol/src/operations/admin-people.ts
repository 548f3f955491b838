/** People beyond the account record (admin.ts): what deleting one ends; their devices, sessions and app passwords. */
import { operation } from '../operation.js';
import { Revoked, UserAccess, UserDeletePreview, UserDeviceParams, UserTokenParams } from '../shapes/admin-people.js';
import { IdParams } from '../shapes/files.js';

const noUser = { status: 404, code: 'not_found', message: 'no such user' } as const;

export const adminUserDeletePreview = operation({
  id: 'adminUserDeletePreview',
  method: 'GET',
  path: '/admin/users/{id}/deletion',
  tag: 'admin',
  summary: 'What deleting an account would do: its files and bytes, the shares and links that end (admin only)',
  auth: 'admin',
  params: IdParams,
  badParams: noUser,
  answers: { 200: { description: 'The preview', json: UserDeletePreview } },
});

export const adminUserAccess = operation({
  id: 'adminUserAccess',
  method: 'GET',
  path: '/admin/users/{id}/access',
  tag: 'admin',
  summary: 'An account’s devices, open sessions, device tokens and app passwords (admin only)',
  auth: 'admin',
  params: IdParams,
  badParams: noUser,
  answers: { 200: { description: 'Devices and credentials', json: UserAccess } },
});

export const adminRevokeUserToken = operation({
  id: 'adminRevokeUserToken',
  method: 'POST',
  path: '/admin/users/{id}/tokens/{tokenId}/revoke',
  tag: 'admin',
  summary: 'End one session or revoke one device token or app password of an account (admin only)',
  auth: 'admin',
  params: UserTokenParams,
  badParams: { status: 404, code: 'not_found', message: 'no such token' },
  answers: { 204: { description: 'Revoked' } },
});

export const adminRevokeUserDevice = operation({
  id: 'adminRevokeUserDevice',
  method: 'POST',
  path: '/admin/users/{id}/devices/{deviceId}/revoke',
  tag: 'admin',
  summary: 'Forget a device of an account: its tokens end with it (admin only)',
  auth: 'admin',
  params: UserDeviceParams,
  badParams: { status: 404, code: 'not_found', message: 'no such device' },
  answers: { 204: { description: 'Revoked' } },
});

export const adminRevokeUserSessions = operation({
  id: 'adminRevokeUserSessions',
  method: 'POST',
  path: '/admin/users/{id}/sessions/revoke',
  tag: 'admin',
  summary: 'Sign an account out everywhere: every session and device token ends (app passwords stay) (admin only)',
  auth: 'admin',
  params: IdParams,
  badParams: noUser,
  answers: { 200: { description: 'How many ended', json: Revoked } },
});
