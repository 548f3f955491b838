/** Searching the audit log: newest first, by text, actor, kind and time, a page at a time (keyset on id). */
import { and, desc, eq, gte, ilike, lt, or, sql, type SQL } from 'drizzle-orm';
import { encodePageCursor, type AuditEvent, type AuditKind } from '@coffer/protocol';
import type { Db } from '../db/open.js';
import { auditEvents } from '../db/schema.js';

export interface AuditSearch {
  q?: string;
  actor?: string;
  kind?: AuditKind;
  from?: string;
  to?: string;
  cursor?: { before: string };
  limit: number;
}

const likeText = (s: string) => `%${s.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

export async function searchAudit(db: Db, s: AuditSearch): Promise<{ events: AuditEvent[]; nextCursor: string | null }> {
  const where: SQL[] = [];
  if (s.kind) where.push(eq(auditEvents.kind, s.kind));
  if (s.actor) where.push(sql`lower(${auditEvents.actorName}) = lower(${s.actor})`);
  if (s.from) where.push(gte(auditEvents.at, new Date(s.from)));
  if (s.to) where.push(lt(auditEvents.at, new Date(s.to)));
  if (s.cursor) where.push(lt(auditEvents.id, Number(s.cursor.before)));
  if (s.q) {
    const p = likeText(s.q);
    where.push(or(ilike(auditEvents.actorName, p), ilike(auditEvents.target, p), ilike(auditEvents.kind, p), ilike(auditEvents.clientAddress, p), sql`${auditEvents.details}::text ilike ${p}`)!);
  }
  const rows = await db
    .select()
    .from(auditEvents)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditEvents.id))
    .limit(s.limit + 1);
  const page = rows.slice(0, s.limit);
  const more = rows.length > s.limit;
  return {
    events: page.map((r) => ({
      id: String(r.id),
      at: r.at.toISOString(),
      kind: r.kind as AuditKind,
      actorId: r.actorId,
      actorName: r.actorName,
      target: r.target,
      clientAddress: r.clientAddress,
      details: r.details,
    })),
    nextCursor: more ? encodePageCursor({ before: String(page[page.length - 1]!.id) }) : null,
  };
}

/** Drops events older than `days`; answers how many went. */
export async function trimAudit(db: Db, days: number): Promise<number> {
  const gone = await db
    .delete(auditEvents)
    .where(lt(auditEvents.at, sql`now() - (${Math.floor(days)}::integer * interval '1 day')`))
    .returning({ id: auditEvents.id });
  return gone.length;
}
