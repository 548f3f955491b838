import { describe, expect, it } from 'vitest';
import { normalizeIp } from '../src/auth/client-ip.js';
import { LoginLimiter } from '../src/auth/rate-limit.js';
import { TooManyRequestsError } from '../src/http-errors.js';

function limiter(opts: { perUser?: number; perIp?: number; maxKeys?: number } = {}) {
  let now = 1_000_000;
  const l = new LoginLimiter({ perUser: opts.perUser ?? 3, perIp: opts.perIp ?? 5, windowMs: 60_000, maxKeys: opts.maxKeys, now: () => now });
  return { l, advance: (ms: number) => (now += ms) };
}

function refused(fn: () => unknown): TooManyRequestsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TooManyRequestsError) return err;
    throw err;
  }
  throw new Error('expected a 429');
}

describe('login rate limiter', () => {
  it('refuses a username after its failures, case-insensitively, until the oldest leaves the window', () => {
    const { l, advance } = limiter();
    l.begin('Alice', '10.0.0.1');
    advance(10_000);
    l.begin('alice', '10.0.0.2');
    l.begin('ALICE', '10.0.0.3');
    const err = refused(() => l.begin('alice', '10.0.0.4'));
    expect(err.status).toBe(429);
    expect(err.headers['Retry-After']).toBe('50'); // the first failure leaves the window in 50 s
    l.begin('bob', '10.0.0.4'); // other names are unaffected
    advance(50_000);
    l.begin('alice', '10.0.0.5'); // one slot free again
    expect(() => l.begin('alice', '10.0.0.6')).toThrow(TooManyRequestsError);
  });

  it('refuses an address that sprays many usernames', () => {
    const { l } = limiter({ perUser: 100, perIp: 5 });
    for (let i = 0; i < 5; i++) l.begin(`user${i}`, '10.0.0.9');
    expect(() => l.begin('someone-else', '10.0.0.9')).toThrow(TooManyRequestsError);
    l.begin('someone-else', '10.0.0.10');
  });

  it('forgets a username\'s failures on success, and a successful attempt does not count for the address', () => {
    const { l } = limiter({ perUser: 2, perIp: 2 });
    l.begin('carol', '10.1.1.1');
    const ok = l.begin('carol', '10.1.1.2');
    l.succeeded(ok);
    l.begin('carol', '10.1.1.3');
    const ok2 = l.begin('dave', '10.1.1.3');
    l.succeeded(ok2);
    l.begin('erin', '10.1.1.3'); // 10.1.1.3 has one failure (carol) plus this one: at the limit, not over
    expect(() => l.begin('frank', '10.1.1.3')).toThrow(TooManyRequestsError);
  });

  it('stays bounded in memory under a flood of distinct keys', () => {
    const { l } = limiter({ maxKeys: 100 });
    for (let i = 0; i < 1000; i++) l.begin(`u${i}`, `10.2.${i >> 8}.${i & 255}`);
    expect(l.size).toBeLessThanOrEqual(101);
  });

  it('groups IPv6 addresses by /64 and unwraps IPv4-mapped ones', () => {
    expect(normalizeIp('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(normalizeIp('2001:0db8:0001:0002:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(normalizeIp('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(normalizeIp('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(normalizeIp('192.0.2.7')).toBe('192.0.2.7');
  });
});
