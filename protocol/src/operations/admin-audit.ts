/** The audit log: sign-ins, admin actions, shares and links, node changes (admin only). */
import { operation } from '../operation.js';
import { AuditPage, AuditQuery } from '../shapes/admin-audit.js';

export const adminAuditLog = operation({
  id: 'adminAuditLog',
  method: 'GET',
  path: '/admin/audit',
  tag: 'admin',
  summary: 'Search the audit log by text, actor, kind and time, newest first, a page at a time (admin only)',
  description: 'Events older than the `auditRetentionDays` setting are trimmed by the daily audit job.',
  auth: 'admin',
  query: AuditQuery,
  answers: { 200: { description: 'A page of events', json: AuditPage } },
});
