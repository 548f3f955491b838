/** Sharing: shares to users and groups, their answers (accept = a mount at the recipient's root), groups (admin). */
import { operation } from '../operation.js';
import { IdParams } from '../shapes/files.js';
import {
  AcceptShareRequest,
  Group,
  GroupList,
  GroupMemberParams,
  GroupMemberRequest,
  NewGroupRequest,
  NewShareRequest,
  Share,
  ShareList,
  SharePatchRequest,
  SharesQuery,
} from '../shapes/sharing.js';

const noShare = { status: 404, code: 'not_found', message: 'no such share' } as const;
const noGroup = { status: 404, code: 'not_found', message: 'no such group' } as const;

export const createShare = operation({
  id: 'createShare',
  method: 'POST',
  path: '/shares',
  tag: 'sharing',
  summary: 'Share a folder or file with a user or a group, as viewer or editor',
  description:
    'The recipient is told (inbox, pushed) and accepts or declines. Only the owner shares, or an editor of a share that allows re-sharing. 404 for an entry the caller cannot see; 403 `cannot_share`; 404 `no_such_grantee`; 409 `already_shared`, `share_in_share`; 400 `share_self`.',
  auth: 'user',
  body: { json: NewShareRequest },
  answers: { 201: { description: 'Offered', json: Share } },
  errors: [404, 409],
});

export const listShares = operation({
  id: 'listShares',
  method: 'GET',
  path: '/shares',
  tag: 'sharing',
  summary: 'Shared with me (incoming, with each one’s state) or what I shared (outgoing)',
  auth: 'user',
  query: SharesQuery,
  answers: { 200: { description: 'Shares', json: ShareList } },
});

export const getShare = operation({
  id: 'getShare',
  method: 'GET',
  path: '/shares/{id}',
  tag: 'sharing',
  summary: 'One share (its owner, a recipient, or an editor who may re-share)',
  auth: 'user',
  params: IdParams,
  badParams: noShare,
  answers: { 200: { description: 'The share', json: Share } },
});

export const updateShare = operation({
  id: 'updateShare',
  method: 'PATCH',
  path: '/shares/{id}',
  tag: 'sharing',
  summary: 'Change a share’s role or re-sharing (its owner)',
  description: 'Takes effect on the next request of every device of the recipients.',
  auth: 'user',
  params: IdParams,
  badParams: noShare,
  body: { json: SharePatchRequest },
  answers: { 200: { description: 'Changed', json: Share } },
});

export const revokeShare = operation({
  id: 'revokeShare',
  method: 'DELETE',
  path: '/shares/{id}',
  tag: 'sharing',
  summary: 'Revoke a share (its owner, or whoever made it)',
  description:
    'Recipients’ mounts go (their journals record the mount’s deletion, which wakes their long polls and websockets at once) and their next request of anything inside is refused as missing.',
  auth: 'user',
  params: IdParams,
  badParams: noShare,
  answers: { 204: { description: 'Revoked' } },
});

export const acceptShare = operation({
  id: 'acceptShare',
  method: 'POST',
  path: '/shares/{id}/accept',
  tag: 'sharing',
  summary: 'Accept a share: it is mounted at your root under the name you choose',
  description: '409 `name_taken` when the name is taken at your root. Accepting again renames the mount.',
  auth: 'user',
  params: IdParams,
  badParams: noShare,
  body: { json: AcceptShareRequest, optional: true },
  answers: { 200: { description: 'Accepted', json: Share } },
  errors: [409],
});

export const declineShare = operation({
  id: 'declineShare',
  method: 'POST',
  path: '/shares/{id}/decline',
  tag: 'sharing',
  summary: 'Decline a share (or leave one accepted: its mount goes)',
  auth: 'user',
  params: IdParams,
  badParams: noShare,
  answers: { 200: { description: 'Declined', json: Share } },
});

export const adminListGroups = operation({
  id: 'adminListGroups',
  method: 'GET',
  path: '/admin/groups',
  tag: 'admin',
  summary: 'Every group with its members (admin only)',
  auth: 'admin',
  answers: { 200: { description: 'Groups', json: GroupList } },
});

export const adminCreateGroup = operation({
  id: 'adminCreateGroup',
  method: 'POST',
  path: '/admin/groups',
  tag: 'admin',
  summary: 'Create a group (admin only)',
  description: '409 `group_name_taken`.',
  auth: 'admin',
  body: { json: NewGroupRequest },
  answers: { 201: { description: 'Created', json: Group } },
  errors: [409],
});

export const adminDeleteGroup = operation({
  id: 'adminDeleteGroup',
  method: 'DELETE',
  path: '/admin/groups/{id}',
  tag: 'admin',
  summary: 'Delete a group (admin only); shares to it go with it',
  auth: 'admin',
  params: IdParams,
  badParams: noGroup,
  answers: { 204: { description: 'Deleted' } },
});

export const adminAddGroupMember = operation({
  id: 'adminAddGroupMember',
  method: 'POST',
  path: '/admin/groups/{id}/members',
  tag: 'admin',
  summary: 'Add a user to a group (admin only); the group’s shares reach them',
  description: '404 `no_such_grantee` for an unknown username.',
  auth: 'admin',
  params: IdParams,
  badParams: noGroup,
  body: { json: GroupMemberRequest },
  answers: { 200: { description: 'The group', json: Group } },
});

export const adminRemoveGroupMember = operation({
  id: 'adminRemoveGroupMember',
  method: 'DELETE',
  path: '/admin/groups/{id}/members/{userId}',
  tag: 'admin',
  summary: 'Remove a user from a group (admin only); their mounts of its shares go',
  auth: 'admin',
  params: GroupMemberParams,
  badParams: noGroup,
  answers: { 200: { description: 'The group', json: Group } },
});
