/** The lifecycle of stored data as the operator sees it (issue 23; admin only). */
import { operation } from '../operation.js';
import { AdminJournal } from '../shapes/lifecycle.js';

export const adminJournal = operation({
  id: 'adminJournal',
  method: 'GET',
  path: '/admin/journal',
  tag: 'admin',
  summary: 'The change journal: entries held, size on disk, oldest entry, retention window (admin only)',
  auth: 'admin',
  answers: { 200: { description: 'The journal', json: AdminJournal } },
});
