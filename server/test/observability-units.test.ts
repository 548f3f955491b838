/**
 * The observability pieces that need no server: the logger's redaction and error reduction, the
 * request id rule, the /metrics guard's 403, and the fail2ban filter against lines of each kind.
 */
import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { installErrorHandler } from '../src/http-errors.js';
import { createLogger, logError } from '../src/observability/log.js';
import { Metrics } from '../src/observability/metrics.js';
import { mountMetrics } from '../src/observability/metrics-route.js';
import { requestContext, requestIdFrom } from '../src/observability/request-context.js';
import { authFailureMessage } from '../src/observability/auth-failures.js';
import { bannedHost, failRegexes } from './fixtures/fail2ban.js';

function capture(): { lines: () => Record<string, unknown>[]; text: () => string; stream: Writable } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += chunk;
      done();
    },
  });
  return { stream, text: () => text, lines: () => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('observability units', () => {
  it('blanks secret fields and reduces database errors to their code and message', () => {
    const out = capture();
    const log = createLogger({ level: 'info', destination: out.stream });
    log.info({ password: 'hunter2-pw', token: 'tok-secret', headers: { authorization: 'Bearer hdr-secret', cookie: 'coffer_session=cookie-secret' }, user: { tokenHash: 'hash-secret' } }, 'a line');
    // What postgres.js attaches to a failed statement: its text and parameters (user data).
    const dbError = Object.assign(new Error('duplicate key value violates unique constraint "users_username"'), { code: '23505', query: 'insert into users values ($1)', parameters: ['param-secret'] });
    logError('unexpected error', new Error('Failed query: insert …\nparams: param-secret', { cause: dbError }), log);
    const text = out.text();
    for (const secret of ['hunter2-pw', 'tok-secret', 'hdr-secret', 'cookie-secret', 'hash-secret', 'param-secret', 'insert into']) expect(text).not.toContain(secret);
    const [first, second] = out.lines();
    expect(first).toMatchObject({ level: 'info', password: '[redacted]', msg: 'a line' });
    expect(second).toMatchObject({ level: 'error', msg: 'unexpected error', err: { message: expect.stringContaining('23505: duplicate key') } });
  });

  it('puts the request id on every line written inside the request, by any logger', () => {
    const out = capture();
    const log = createLogger({ level: 'info', destination: out.stream });
    requestContext.run({ reqId: 'req-42' }, () => log.child({ component: 'deep' }).warn('inside'));
    log.info('outside');
    const [inside, outside] = out.lines();
    expect(inside).toMatchObject({ reqId: 'req-42', component: 'deep' });
    expect(outside).not.toHaveProperty('reqId');
  });

  it('keeps a sane X-Request-Id and replaces anything else', () => {
    expect(requestIdFrom('9f1c-proxy.id:7')).toBe('9f1c-proxy.id:7');
    for (const bad of ['', 'has space', 'quote"', 'x'.repeat(129), 'line\nbreak']) expect(requestIdFrom(bad)).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('answers 403 to an address outside COFFER_METRICS_ALLOW when no token is configured, 401 with a token configured', async () => {
    const metrics = new Metrics();
    const open = new Hono();
    installErrorHandler(open);
    mountMetrics(open, metrics, { allow: ['10.0.0.0/8'], trustProxy: false });
    expect((await open.request('/metrics')).status).toBe(403);
    const withToken = new Hono();
    installErrorHandler(withToken);
    mountMetrics(withToken, metrics, { token: 'a-long-metrics-token', allow: ['10.0.0.0/8'], trustProxy: false });
    expect((await withToken.request('/metrics')).status).toBe(401);
    const ok = await withToken.request('/metrics', { headers: { authorization: 'Bearer a-long-metrics-token' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('coffer_http_requests_total');
  });

  it('the fail2ban filter takes the address of failed sign-ins only, IPv4 and IPv6', async () => {
    const regexes = await failRegexes();
    const line = (client: string, msg: string, level = 'warn') => JSON.stringify({ level, time: '2026-12-03T12:00:00.000Z', pid: 1, component: 'http', client, msg });
    expect(bannedHost(regexes, line('203.0.113.7', authFailureMessage('203.0.113.7', 'password', '/api/v1/auth/login')))).toBe('203.0.113.7');
    expect(bannedHost(regexes, line('2001:db8::5', authFailureMessage('2001:db8::5', 'basic', '/dav/*')))).toBe('2001:db8::5');
    expect(bannedHost(regexes, line('203.0.113.8', 'request', 'info'))).toBeUndefined();
    // A forged message inside another field is no match: the message is the line's last field.
    expect(bannedHost(regexes, JSON.stringify({ level: 'info', note: '"msg":"authentication failed: client=198.51.100.1 method=password route=/x"}', msg: 'request' }))).toBeUndefined();
  });

  it('the Grafana dashboard uses only series the server exports', async () => {
    const dashboard = await readFile(new URL('../../admin-ui/grafana/coffer-dashboard.json', import.meta.url), 'utf8');
    JSON.parse(dashboard);
    const used = new Set([...dashboard.matchAll(/\b((?:coffer|nodejs|process)_[a-z0-9_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, '')));
    const exported = new Set((await new Metrics().registry.getMetricsAsJSON()).map((m) => m.name));
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
    expect(used.size).toBeGreaterThan(25);
  });
});
