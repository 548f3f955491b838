/**
 * Writing the audit log. The service where an action happens records it, in its transaction when
 * it has one (the record and the change commit together). Never a secret: callers pass names,
 * ids and which fields changed, not values of passwords or tokens.
 */
import type { AuditKind } from '@coffer/protocol';
import type { Db } from '../db/open.js';
import { auditEvents } from '../db/schema.js';

/** Who acted, as the route knows it. */
export interface Actor {
  id: string | null;
  name: string | null;
  /** The client's address (auth/client-ip.ts), when a request made the change. */
  address?: string | null;
}

export interface AuditEntry {
  kind: AuditKind;
  target?: string | null;
  details?: Record<string, unknown>;
}

export async function recordAudit(db: Db, actor: Actor | undefined, e: AuditEntry): Promise<void> {
  await db.insert(auditEvents).values({
    kind: e.kind,
    actorId: actor?.id ?? null,
    actorName: actor?.name?.slice(0, 200) ?? null,
    target: e.target?.slice(0, 500) ?? null,
    clientAddress: actor?.address ?? null,
    details: e.details ?? {},
  });
}

/** For actions outside a transaction that must not fail because the log could not be written (a failed sign-in). */
export async function recordAuditQuietly(db: Db, actor: Actor | undefined, e: AuditEntry): Promise<void> {
  try {
    await recordAudit(db, actor, e);
  } catch {
    // The database is unreachable: the action's own answer says so; losing its log line is the lesser harm.
  }
}
