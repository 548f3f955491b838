/** The server's own request counter (its Prometheus coffer_http_requests_total; /metrics is open to loopback), for tests that count requests. */
import { expect } from 'vitest';
import type { ServerProcess } from '@coffer/server/testing/server-process';

/** Requests the server answered so far, over all routes or those whose `route` label matches `route`. */
export async function requestsServed(srv: Pick<ServerProcess, 'call'>, route?: RegExp): Promise<number> {
  // No bearer token: a user's is no metrics token, and loopback needs none.
  const res = await srv.call('GET', '/metrics', { headers: { authorization: '' } });
  expect(res.status, res.body.toString()).toBe(200);
  let n = 0;
  for (const m of res.body.toString().matchAll(/^coffer_http_requests_total\{([^}]*)\} (\d+)/gm)) {
    if (!route || route.test(m[1]!)) n += Number(m[2]);
  }
  return n;
}
