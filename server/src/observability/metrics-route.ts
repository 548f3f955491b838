/**
 * GET /metrics: the Prometheus text, for a scraper holding COFFER_METRICS_TOKEN (as a bearer
 * token) or calling from an address in COFFER_METRICS_ALLOW (CIDRs; default loopback only).
 * Anyone else gets 401 (a token is expected: wrong or missing) or 403 (no token configured and
 * the address is not allowed). The token is compared in constant time and never logged.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Hono } from 'hono';
import { clientAddress } from '../auth/client-ip.js';
import { ForbiddenError, UnauthorizedError } from '../http-errors.js';
import { blockListOf } from './address-list.js';
import type { Metrics } from './metrics.js';

export interface MetricsAccess {
  token?: string;
  /** CIDRs (`10.0.0.0/8`, `::1/128`) or single addresses. */
  allow: readonly string[];
  trustProxy: boolean;
}

export function mountMetrics(app: Hono, metrics: Metrics, access: MetricsAccess): void {
  const allowed = blockListOf(access.allow);
  const expected = access.token ? digest(access.token) : undefined;
  app.get('/metrics', async (c) => {
    const header = c.req.header('authorization') ?? '';
    const presented = /^bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    const tokenOk = !!expected && !!presented && timingSafeEqual(digest(presented), expected);
    if (!tokenOk) {
      const addr = clientAddress(c, access.trustProxy);
      const family = isIP(addr);
      const addressOk = !presented && family !== 0 && allowed.check(addr, family === 6 ? 'ipv6' : 'ipv4');
      if (!addressOk) {
        if (presented || expected) throw new UnauthorizedError('metrics need the bearer token COFFER_METRICS_TOKEN', { challenge: 'Bearer realm="coffer-metrics"' });
        throw new ForbiddenError('metrics are served to the addresses in COFFER_METRICS_ALLOW only');
      }
    }
    const { body, contentType } = await metrics.text();
    return c.body(body, 200, { 'content-type': contentType, 'cache-control': 'no-store' });
  });
}

/** Same-length values for timingSafeEqual, whatever was presented. */
function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
