import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * The caller's address for rate limiting. Behind a trusted proxy it is the last X-Forwarded-For
 * hop (the one our proxy appended; earlier hops are the client's to forge). IPv6 addresses are
 * cut to their /64: one subscriber usually holds a whole /64 and could otherwise rotate freely.
 */
export function clientIp(c: Context, trustProxy: boolean): string {
  const ip = clientAddress(c, trustProxy);
  return ip === 'unknown' ? ip : normalizeIp(ip);
}

/** The caller's whole address (as clientIp finds it, IPv4-mapped IPv6 shown as IPv4; IPv6 not
 *  cut to its /64): what the logs name, for fail2ban to ban. */
export function clientAddress(c: Context, trustProxy: boolean): string {
  let ip: string | undefined;
  if (trustProxy) ip = c.req.header('x-forwarded-for')?.split(',').pop()?.trim();
  if (!ip) {
    try {
      ip = getConnInfo(c).remote.address;
    } catch {
      ip = undefined; // not served by @hono/node-server (app.request in a unit test)
    }
  }
  if (!ip) return 'unknown';
  return /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1] ?? ip.toLowerCase();
}

export function normalizeIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.split('%')[0]!.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
