/**
 * What coffer_token answers (the token lookup every authenticated request makes), kept in memory
 * on the embedded database only. There it is exact: PGlite is one process (its lockfile), and the
 * triggers of migration 0005 NOTIFY 'coffer_auth' on every change that could alter an answer (a
 * token deleted, a user disabled, demoted, renamed or deleted); PGlite hands the notification
 * over while the changing statement is answered, before its caller goes on, and every entry is
 * dropped. So a revocation or a demotion bites on the next request, as without the cache.
 * Not on PostgreSQL: another server instance would learn of a change only after it committed, and
 * nothing at all while its listening connection is down.
 */
import type { Db } from './handle.js';
import { rawValue } from './raw.js';
import { driverDate } from './table-row.js';

/** A row of coffer_token: the token's user and the token, keyed by column name. */
export type TokenRow = Record<string, unknown> & { token_id: string; expires_at: unknown; last_used_at: unknown };

export const AUTH_CHANNEL = 'coffer_auth';
/** Belt and braces: an answer is asked again after this long even when nothing said it changed. */
const MAX_AGE_MS = 60_000;
/** Bounds the memory held (entries are a few hundred bytes); past it, the cache starts over. */
const MAX_ENTRIES = 10_000;

interface Entry {
  row: TokenRow;
  hash: string;
  at: number;
}

export class TokenCache {
  /** A cache cleared by every change notice on AUTH_CHANNEL (openDatabase, for the embedded database). */
  static async listening(listen: (channel: string, onNotice: () => void) => Promise<unknown>): Promise<TokenCache> {
    const cache = new TokenCache();
    await listen(AUTH_CHANNEL, () => cache.clear());
    return cache;
  }

  /** Bumped by every change notice: a lookup that began before one must not be remembered. */
  generation = 0;
  private readonly byHash = new Map<string, Entry>();
  private readonly byId = new Map<string, Entry>();

  get(hash: string, now: Date): TokenRow | undefined {
    const e = this.byHash.get(hash);
    if (!e) return undefined;
    const expired = e.row.expires_at !== null && driverDate(e.row.expires_at) <= now;
    if (!expired && now.getTime() - e.at < MAX_AGE_MS) return e.row;
    this.byHash.delete(hash);
    this.byId.delete(e.row.token_id);
    return undefined;
  }

  set(hash: string, row: TokenRow, generation: number): void {
    if (generation !== this.generation) return;
    if (this.byHash.size >= MAX_ENTRIES) this.clear();
    const e = { row, hash, at: Date.now() };
    this.byHash.set(hash, e);
    this.byId.set(row.token_id, e);
  }

  /** touchToken wrote last_used_at (which no trigger reports): keep the remembered one in step. */
  used(tokenId: string, at: Date): void {
    const e = this.byId.get(tokenId);
    if (e) e.row = { ...e.row, last_used_at: at.toISOString() };
  }

  clear(): void {
    this.generation++;
    this.byHash.clear();
    this.byId.clear();
  }
}

/** The live token with this hash and its user (coffer_token), or null; remembered in `cache` when there is one. */
export async function tokenRow(db: Db, cache: TokenCache | null, hash: string): Promise<TokenRow | null> {
  const now = new Date();
  const hit = cache?.get(hash, now);
  if (hit) return hit;
  const generation = cache?.generation ?? 0;
  const row = await rawValue<TokenRow>(db, 'select coffer_token($1, $2::timestamptz) as v', [hash, now.toISOString()]);
  if (row && cache) cache.set(hash, row, generation);
  return row;
}
