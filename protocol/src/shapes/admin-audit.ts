/** The audit log on the wire: who did what, when, from where (never a secret). */
import { z } from 'zod';
import { count, optionalParam, pageCursor, pageLimit, text } from '../fields.js';
import { timestamp } from './common.js';

export const AUDIT_KINDS = [
  'sign_in',
  'sign_in_failed',
  'user_created',
  'user_updated',
  'user_disabled',
  'user_enabled',
  'user_deleted',
  'user_role_changed',
  'user_quota_changed',
  'user_password_reset',
  'user_sessions_revoked',
  'group_created',
  'group_deleted',
  'group_member_added',
  'group_member_removed',
  'node_added',
  'node_drain',
  'node_rebalance',
  'node_retired',
  'settings_changed',
  'share_created',
  'share_revoked',
  'link_created',
  'link_revoked',
  'job_started',
  'job_cancelled',
  'job_retried',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export const AuditEvent = z
  .object({
    id: z.string().register(z.globalRegistry, { description: 'Increasing' }),
    at: timestamp(),
    kind: z.enum(AUDIT_KINDS),
    actorId: z.string().nullable(),
    actorName: z.string().nullable().register(z.globalRegistry, { description: 'The actor’s username then (or the name tried, for a failed sign-in)' }),
    target: z.string().nullable().register(z.globalRegistry, { description: 'What it was done to: a username, node, group, share or link id, setting names' }),
    clientAddress: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .register(z.globalRegistry, { id: 'AuditEvent' });
export type AuditEvent = z.infer<typeof AuditEvent>;

const AuditCursor = z.object({ before: z.string().regex(/^\d{1,19}$/) });
const instant = () => z.iso.datetime({ offset: true });

export const AuditQuery = z.object({
  q: optionalParam(text(200, 1)).register(z.globalRegistry, { description: 'Text found in the actor, target or details' }),
  actor: optionalParam(text(200, 1)).register(z.globalRegistry, { description: 'The actor’s username (exact, any case)' }),
  kind: optionalParam(z.enum(AUDIT_KINDS)),
  from: optionalParam(instant()).register(z.globalRegistry, { description: 'Not before (ISO 8601)' }),
  to: optionalParam(instant()).register(z.globalRegistry, { description: 'Before (ISO 8601)' }),
  cursor: optionalParam(pageCursor(AuditCursor)).register(z.globalRegistry, { description: '`nextCursor` of the previous page' }),
  limit: pageLimit(500, 50),
});

export const AuditPage = z
  .object({ events: z.array(AuditEvent).register(z.globalRegistry, { description: 'Newest first' }), nextCursor: z.string().nullable(), retentionDays: count() })
  .register(z.globalRegistry, { id: 'AuditPage' });
export type AuditPage = z.infer<typeof AuditPage>;
