/** Operations of administration (admin role): accounts, storage nodes, background jobs, degraded blocks. */
import { operation } from '../operation.js';
import {
  AdminUser,
  AdminUserList,
  DegradedList,
  DegradedQuery,
  JobList,
  JobsQuery,
  JobView,
  NewJobRequest,
  NewNodeRequest,
  NewUserRequest,
  NodeAdded,
  NodeList,
  NodeParams,
  NodeRetired,
  UserPatchRequest,
} from '../shapes/admin.js';
import { IdParams } from '../shapes/files.js';

const noUser = { status: 404, code: 'not_found', message: 'no such user' } as const;
const noNode = { status: 404, code: 'no_node', message: 'no such storage node' } as const;

export const adminListUsers = operation({
  id: 'adminListUsers',
  method: 'GET',
  path: '/admin/users',
  tag: 'admin',
  summary: 'Every account, by username (admin only)',
  auth: 'admin',
  answers: { 200: { description: 'Accounts', json: AdminUserList } },
});

export const adminCreateUser = operation({
  id: 'adminCreateUser',
  method: 'POST',
  path: '/admin/users',
  tag: 'admin',
  summary: 'Create an account (admin only)',
  description: '409 `username_taken`.',
  auth: 'admin',
  body: { json: NewUserRequest },
  answers: { 201: { description: 'Created', json: AdminUser } },
  errors: [409],
});

export const adminUpdateUser = operation({
  id: 'adminUpdateUser',
  method: 'PATCH',
  path: '/admin/users/{id}',
  tag: 'admin',
  summary: 'Change an account’s role, quota, email or password, or disable it (admin only)',
  description: 'Disabling or a new password signs the user out everywhere. 409 `last_admin` when the change would leave no enabled administrator.',
  auth: 'admin',
  params: IdParams,
  badParams: noUser,
  body: { json: UserPatchRequest },
  answers: { 200: { description: 'Updated', json: AdminUser } },
  errors: [409],
});

export const adminDeleteUser = operation({
  id: 'adminDeleteUser',
  method: 'DELETE',
  path: '/admin/users/{id}',
  tag: 'admin',
  summary: 'Delete an account (admin only); its tokens and devices go with it',
  description: '409 `cannot_delete_self`. The files in the account’s namespace are left for the storage jobs.',
  auth: 'admin',
  params: IdParams,
  badParams: noUser,
  answers: { 204: { description: 'Deleted' } },
  errors: [409],
});

export const adminListNodes = operation({
  id: 'adminListNodes',
  method: 'GET',
  path: '/admin/nodes',
  tag: 'admin',
  summary: 'Storage nodes with their health, tier and capacity (admin only)',
  auth: 'admin',
  answers: { 200: { description: 'Nodes: live ones (hot, then cold, by name), then retired ones', json: NodeList } },
});

export const adminAddNode = operation({
  id: 'adminAddNode',
  method: 'POST',
  path: '/admin/nodes',
  tag: 'admin',
  summary: 'Add an S3 storage node at run time (admin only)',
  description:
    'The node must store, return and delete a test object. Its URL, credentials included, is kept in the database sealed under the ' +
    'master key, so the next boot opens it without a configuration change; it is never shown again. A rebalance onto it is queued ' +
    'unless `rebalance` is false. 400 `node_unreachable`; 409 `node_exists` (names are never reused) or `endpoint_in_use`.',
  auth: 'admin',
  body: { json: NewNodeRequest },
  answers: { 201: { description: 'Added', json: NodeAdded } },
  errors: [409],
});

export const adminDrainNode = operation({
  id: 'adminDrainNode',
  method: 'POST',
  path: '/admin/nodes/{id}/drain',
  tag: 'admin',
  summary: 'Queue a drain of a node: every shard moves off it (admin only)',
  description:
    'The node turns `draining` at once, in the database (no new shards, also after a restart; reads still use it). Once the job ' +
    'is done with `progress.remainingBlocks` 0, retire the node. 404 `no_node`.',
  auth: 'admin',
  params: NodeParams,
  badParams: noNode,
  answers: { 201: { description: 'Queued', json: JobView } },
  errors: [409],
});

export const adminRebalanceNode = operation({
  id: 'adminRebalanceNode',
  method: 'POST',
  path: '/admin/nodes/{id}/rebalance',
  tag: 'admin',
  summary: 'Queue a rebalance onto a node: a newly added one takes its share of the shards (admin only)',
  description: 'A draining node takes shards again. 404 `no_node`.',
  auth: 'admin',
  params: NodeParams,
  badParams: noNode,
  answers: { 201: { description: 'Queued', json: JobView } },
  errors: [409],
});

export const adminRetireNode = operation({
  id: 'adminRetireNode',
  method: 'POST',
  path: '/admin/nodes/{id}/retire',
  tag: 'admin',
  summary: 'Retire a drained node: it leaves for good (admin only)',
  description:
    'The node must be draining and hold no shard. It leaves the pool at once; the configuration may then drop it (an entry ' +
    'left behind is ignored). 404 `no_node`; 409 `not_draining`, `has_shards` (`details.shards`), `retired` or `last_hot_node`.',
  auth: 'admin',
  params: NodeParams,
  badParams: noNode,
  answers: { 200: { description: 'Retired', json: NodeRetired } },
  errors: [409],
});

export const adminListJobs = operation({
  id: 'adminListJobs',
  method: 'GET',
  path: '/admin/jobs',
  tag: 'admin',
  summary: 'Background jobs with their progress, newest first (admin only)',
  auth: 'admin',
  query: JobsQuery,
  answers: { 200: { description: 'Jobs', json: JobList } },
});

export const adminStartJob = operation({
  id: 'adminStartJob',
  method: 'POST',
  path: '/admin/jobs',
  tag: 'admin',
  summary: 'Queue a job now: repair, scrub, gc, retention or tiering (admin only; drain and rebalance are queued per node)',
  description: 'A runner of any instance picks it up.',
  auth: 'admin',
  body: { json: NewJobRequest },
  answers: { 201: { description: 'Queued', json: JobView } },
});

export const adminCancelJob = operation({
  id: 'adminCancelJob',
  method: 'POST',
  path: '/admin/jobs/{id}/cancel',
  tag: 'admin',
  summary: 'Cancel a queued or running job (a running one stops at its next checkpoint) (admin only)',
  description: '409 `not_active` when it already finished.',
  auth: 'admin',
  params: IdParams,
  badParams: { status: 404, code: 'not_found', message: 'no such job' },
  answers: { 200: { description: 'Cancelled', json: JobView } },
  errors: [409],
});

export const adminListDegradedBlocks = operation({
  id: 'adminListDegradedBlocks',
  method: 'GET',
  path: '/admin/blocks/degraded',
  tag: 'admin',
  summary: 'Blocks waiting for repair, in key order (admin only)',
  auth: 'admin',
  query: DegradedQuery,
  answers: { 200: { description: 'Degraded blocks and how many there are', json: DegradedList } },
});
