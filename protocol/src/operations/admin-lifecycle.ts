/** The lifecycle of stored data as the operator sees it (issue 23; admin only). */
import { operation } from '../operation.js';
import { IdParams } from '../shapes/files.js';
import { AdminJournal, TransferUserRequest, TransferUserResult } from '../shapes/lifecycle.js';

export const adminJournal = operation({
  id: 'adminJournal',
  method: 'GET',
  path: '/admin/journal',
  tag: 'admin',
  summary: 'The change journal: entries held, size on disk, oldest entry, retention window (admin only)',
  auth: 'admin',
  answers: { 200: { description: 'The journal', json: AdminJournal } },
});

export const adminTransferUser = operation({
  id: 'adminTransferUser',
  method: 'POST',
  path: '/admin/users/{id}/transfer',
  tag: 'admin',
  summary: 'Delete an account, its files going to another (admin only)',
  description:
    'Everything live in the account’s tree is copied (same blocks, nothing re-stored) under a new folder “From <username>” at the recipient’s root, ' +
    'charged to the recipient’s quota (507 `quota_exceeded`, nothing done, when it does not fit); shares it offered are re-owned by the recipient. ' +
    'Then the account is deleted; its namespace is purged after the trash period by the `departed` job. 404 for no such account or recipient; 409 `cannot_delete_self`.',
  auth: 'admin',
  params: IdParams,
  body: { json: TransferUserRequest },
  answers: { 200: { description: 'What went where', json: TransferUserResult } },
  errors: [400, 404, 409, 507],
});
