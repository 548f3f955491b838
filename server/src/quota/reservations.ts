/**
 * Quota reservations (DESIGN §3, invariant 8): bytes stored for an upload that has not committed
 * count against the owner's quota from the moment they are stored, not only at commit.
 *
 * - A block PUT for a later commit (`PUT /blocks/:sha256`) reserves the block's size, keyed by
 *   the block's stored key, before it is stored. Any commit whose block list names the block
 *   releases that reservation in its own transaction (files/versions.ts, and the SQL of a new
 *   file's first commit), so a commit settles exactly the blocks it uses; the file's size is
 *   charged instead. A block already referenced by a committed version is counted in the usage
 *   already: a PUT of it reserves nothing. A block reserved already is not reserved twice.
 * - A resumable session reserves, before each piece is read, up to the piece's last byte, keyed
 *   by the session id: released on commit, cancel or expiry.
 * - A simple upload reserves its declared length (or, unsized, a step ahead of the bytes as they
 *   stream), keyed by a random id: released by its commit or when it fails.
 *
 * Every reserve is one statement (coffer_reserve, migration 0006): the check against
 * quota − used − reserved and the add happen under the users row lock, so concurrent requests
 * never overshoot. A reservation row and users.reserved_bytes change together, so the column is
 * always the rows' sum. Nothing leaks forever: every reservation has an expiry, and GC releases
 * what is past it (jobs/gc.ts) — a crash between reserving and committing costs quota only until then.
 */
import type { Db } from '../db/open.js';
import { pgTextArray, rawValue } from '../db/raw.js';
import type { ReservationKind } from '../db/schema.js';
import { quotaError } from './quota-error.js';

export interface ReservationKey {
  kind: ReservationKind;
  ref: string;
}

export interface Reserve extends ReservationKey {
  namespaceId: string;
  /** The bytes the reservation should hold (it never shrinks here). */
  bytes: number;
  /** Refused (507) only when fewer than this fit; between this and `bytes`, as much as fits is taken. Default: `bytes`. */
  minimum?: number;
  expiresAt: Date;
}

interface ReserveAnswer {
  held: number;
  refused?: boolean;
  used?: number;
  reserved?: number;
  quota?: number;
}

/** Grow a reservation to `bytes` (or at least `minimum`), or 507 `quota_exceeded` changing nothing. Answers the bytes it holds. */
export async function reserve(db: Db, r: Reserve): Promise<number> {
  const minimum = Math.min(r.minimum ?? r.bytes, r.bytes);
  const a = await rawValue<ReserveAnswer>(db, 'select coffer_reserve($1, $2, $3::uuid, $4::bigint, $5::bigint, $6::timestamptz) as v', [
    r.kind,
    r.ref,
    r.namespaceId,
    r.bytes,
    minimum,
    r.expiresAt.toISOString(),
  ]);
  if (!a) throw new Error('coffer_reserve answered nothing');
  const held = Number(a.held);
  if (a.refused) throw quotaError({ used: Number(a.used), reserved: Number(a.reserved), quota: Number(a.quota) }, minimum - held);
  return held;
}

/** Release reservations of one kind (those that exist), in the caller's transaction if it has one. Answers the bytes released. */
export async function release(db: Db, kind: ReservationKind, refs: readonly string[]): Promise<number> {
  let freed = 0;
  // A thousand keys a statement keeps each one small (a commit may name ~9,000 blocks).
  for (let i = 0; i < refs.length; i += 1000) {
    const chunk = refs.slice(i, i + 1000);
    freed += Number((await rawValue<number | string>(db, 'select coffer_release($1, $2::text[]) as v', [kind, pgTextArray(chunk)])) ?? 0);
  }
  return freed;
}

/** Lower a reservation to what its upload really stored (a piece cut short), releasing the rest. */
export async function shrink(db: Db, key: ReservationKey, bytes: number): Promise<void> {
  await rawValue(db, 'select coffer_shrink_reservation($1, $2, $3::bigint) as v', [key.kind, key.ref, bytes]);
}

/** Release every reservation past its expiry (GC). Answers how many. */
export async function releaseExpired(db: Db, now = new Date()): Promise<number> {
  return Number((await rawValue<number | string>(db, 'select coffer_release_expired($1::timestamptz) as v', [now.toISOString()])) ?? 0);
}

/** The reservations of a pack's new blocks (kind 'block'), all or none: 507 `quota_exceeded` reserving nothing. One statement (coffer_reserve_blocks, migration 0017). */
export async function reserveBlocks(db: Db, r: { namespaceId: string; refs: readonly string[]; bytes: readonly number[]; expiresAt: Date }): Promise<void> {
  if (r.refs.length === 0) return;
  const a = await rawValue<ReserveAnswer & { ok?: boolean }>(db, 'select coffer_reserve_blocks($1::text[], $2::uuid, $3::bigint[], $4::timestamptz) as v', [
    pgTextArray(r.refs),
    r.namespaceId,
    `{${r.bytes.join(',')}}`,
    r.expiresAt.toISOString(),
  ]);
  if (!a) throw new Error('coffer_reserve_blocks answered nothing');
  if (a.refused) {
    const needed = r.bytes.reduce((n, b) => n + b, 0);
    throw quotaError({ used: Number(a.used), reserved: Number(a.reserved), quota: Number(a.quota) }, needed);
  }
}
