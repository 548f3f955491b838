/**
 * The brakes in front of every /s/{token} request, per server instance (like the sign-in limits,
 * auth/rate-limit.ts, whose sliding window this reuses):
 * - requests per address and per token, whatever they ask (a link shared on a busy page is
 *   throttled, not the whole server);
 * - wrong passwords per link and per address: after WRONG_PASSWORDS within the window, 429
 *   `link_locked` even for the right one, so a password cannot be guessed online.
 * A wrong or missing password answers exactly like a token that names nothing (404), and an
 * unknown token with a password costs the same scrypt, so neither the body nor the time tells
 * that a link exists.
 */
import { isLinkToken } from '@coffer/protocol';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import { LoginLimiter } from '../auth/rate-limit.js';
import { TooManyRequestsError } from '../http-errors.js';
import { missingLink } from './link-access.js';
import type { LinkRow } from './view.js';

export const LINK_LIMITS = {
  /** Requests per minute from one address (IPv6: its /64) to any link. */
  perAddress: 600,
  /** Requests per minute to one token, from anywhere. */
  perLink: 1200,
  /** Wrong passwords per link, and per address, within `passwordWindowMs`; then 429 `link_locked`. */
  wrongPasswords: 20,
  passwordWindowMs: 15 * 60_000,
};

/** A hash no password matches quickly, so an unknown token with a password costs a real scrypt. */
let dummyHash: Promise<string> | undefined;

export class LinkGuard {
  private readonly requests: LoginLimiter;
  private readonly passwords: LoginLimiter;

  constructor(limits = LINK_LIMITS) {
    this.requests = new LoginLimiter({ perUser: limits.perLink, perIp: limits.perAddress, windowMs: 60_000 });
    this.passwords = new LoginLimiter({ perUser: limits.wrongPasswords, perIp: limits.wrongPasswords, windowMs: limits.passwordWindowMs });
  }

  /** Count a request; 429 when the address or the token is over its limit. */
  request(token: string, ip: string): void {
    // Only a well-formed token gets a key of its own: junk cannot grow the table past one key.
    this.requests.begin(isLinkToken(token) ? token : '-', ip);
  }

  /** An unknown token: a given password costs what checking it would, then 404. */
  async unknown(password: string | undefined): Promise<never> {
    if (password !== undefined) await verifyPassword(password, await (dummyHash ??= hashPassword('coffer: no such link')));
    throw missingLink();
  }

  /** The link's password, when it has one: right, or 404 (429 `link_locked` after too many wrong). */
  async password(link: LinkRow, given: string | undefined, ip: string): Promise<void> {
    if (link.passwordHash === null) return;
    if (given === undefined) throw missingLink();
    let attempt;
    try {
      // Counted as wrong from the start until it proves right: parallel guesses cannot slip past.
      attempt = this.passwords.begin(`link:${link.id}`, ip);
    } catch (err) {
      if (!(err instanceof TooManyRequestsError)) throw err;
      throw new TooManyRequestsError('Too many wrong passwords for this link; try again later', { retryAfter: err.retryAfter, code: 'link_locked' });
    }
    if (!(await verifyPassword(given, link.passwordHash))) throw missingLink();
    this.passwords.succeeded(attempt);
  }
}
