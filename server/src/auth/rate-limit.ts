import { TooManyRequestsError } from '../http-errors.js';

export interface LoginLimiterOptions {
  /** Attempts that may fail per username (lowercased) within the window. */
  perUser: number;
  /** Attempts that may fail per client address within the window (password spraying). */
  perIp: number;
  windowMs: number;
  /** Keys remembered at most; beyond it the oldest are forgotten (memory stays bounded under attack). */
  maxKeys?: number;
  now?: () => number;
}

/** A sign-in attempt in progress, to be reported back by `succeeded`. */
export interface Attempt {
  userKey: string;
  ipKey: string;
  at: number;
}

/**
 * Login rate limiting over a sliding window, in memory: per server instance (several instances
 * each allow the limit; acceptable for a brute-force brake, and it needs no shared store).
 *
 * Every attempt counts as a failure from the moment it starts until it proves right: otherwise a
 * burst of parallel guesses would all pass the check while scrypt runs.
 */
export class LoginLimiter {
  private readonly hits = new Map<string, number[]>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly opts: LoginLimiterOptions) {
    this.maxKeys = opts.maxKeys ?? 100_000;
    this.now = opts.now ?? Date.now;
  }

  /** Start an attempt, or throw 429 with Retry-After when the username or address is over its limit. */
  begin(username: string, ip: string): Attempt {
    const at = this.now();
    const userKey = `u:${username.toLowerCase()}`;
    const ipKey = `ip:${ip}`;
    const wait = Math.max(this.waitMs(userKey, this.opts.perUser, at), this.waitMs(ipKey, this.opts.perIp, at));
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new TooManyRequestsError(`Too many failed sign-in attempts; try again in ${seconds} s`, { retryAfter: seconds });
    }
    this.record(userKey, at);
    this.record(ipKey, at);
    return { userKey, ipKey, at };
  }

  /** 429 when the username or address is over its limit, recording nothing: for credentials that
   *  are cheap to check (an app password is one hash lookup), where only `failed` counts. */
  check(username: string, ip: string): void {
    const at = this.now();
    const wait = Math.max(this.waitMs(`u:${username.toLowerCase()}`, this.opts.perUser, at), this.waitMs(`ip:${ip}`, this.opts.perIp, at));
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new TooManyRequestsError(`Too many failed sign-in attempts; try again in ${seconds} s`, { retryAfter: seconds });
    }
  }

  /** A failed attempt of cheap credentials (see `check`). */
  failed(username: string, ip: string): void {
    const at = this.now();
    this.record(`u:${username.toLowerCase()}`, at);
    this.record(`ip:${ip}`, at);
  }

  /** The password was right: the username starts afresh, and this attempt no longer counts for the address. */
  succeeded(a: Attempt): void {
    this.hits.delete(a.userKey);
    const list = this.hits.get(a.ipKey);
    const i = list?.indexOf(a.at) ?? -1;
    if (list && i >= 0) list.splice(i, 1);
  }

  /** How long until one more attempt is allowed under `limit` (0: now). */
  private waitMs(key: string, limit: number, now: number): number {
    const list = this.hits.get(key);
    if (!list) return 0;
    const live = this.prune(key, list, now);
    if (live.length < limit) return 0;
    // The (live.length - limit + 1)th oldest must leave the window first.
    return live[live.length - limit]! + this.opts.windowMs - now;
  }

  private prune(key: string, list: number[], now: number): number[] {
    const from = now - this.opts.windowMs;
    let drop = 0;
    while (drop < list.length && list[drop]! <= from) drop++;
    if (drop) list.splice(0, drop);
    if (list.length === 0) this.hits.delete(key);
    return list;
  }

  private record(key: string, at: number): void {
    const list = this.hits.get(key);
    if (list) list.push(at);
    else {
      this.hits.set(key, [at]);
      if (this.hits.size > this.maxKeys) this.evict(at);
    }
  }

  /** Drop expired keys; if still too many, the least recently created ones (a Map keeps insertion order). */
  private evict(now: number): void {
    for (const [key, list] of this.hits) this.prune(key, list, now);
    const excess = this.hits.size - Math.floor(this.maxKeys * 0.9);
    if (excess <= 0) return;
    let n = 0;
    for (const key of this.hits.keys()) {
      if (n++ >= excess) break;
      this.hits.delete(key);
    }
  }

  /** Keys currently remembered (for tests and metrics). */
  get size(): number {
    return this.hits.size;
  }
}
