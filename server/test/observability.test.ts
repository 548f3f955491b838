/**
 * Observability on the real server process, six S3 node processes and PostgreSQL: /metrics after
 * real traffic (the series exist and move), the JSON log of a run with failed sign-ins, uploads
 * and errors (a request id on every request's lines, an access line each, failed sign-ins in the
 * fail2ban form, no secret anywhere), and /readyz following the write quorum as nodes die.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useServerProcessBesideS3Cluster } from './fixtures/s3-server.js';
import { PASSWORD } from './fixtures/server-process.js';
import { bannedHost, failRegexes, FILTER_PATH } from './fixtures/fail2ban.js';
import { has, parsePrometheus, sumOf, type Sample } from './fixtures/prometheus-text.js';

const METRICS_TOKEN = `metrics-${randomBytes(12).toString('hex')}`;

describe('observability: metrics, logs and readiness of a server on six S3 nodes', () => {
  const { srv, cluster } = useServerProcessBesideS3Cluster(6, (c) => ({
    backend: 'postgres',
    env: {
      COFFER_NODES: c.nodes.map((n) => n.url).join(','),
      COFFER_NODE_PROBE_SECONDS: '1',
      COFFER_METRICS_TOKEN: METRICS_TOKEN,
      // Not loopback: the test's own address needs the token.
      COFFER_METRICS_ALLOW: '10.0.0.0/8',
    },
  }));

  const scrape = async (): Promise<Sample[]> => {
    const res = await srv.call('GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status, res.body.toString()).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    return parsePrometheus(res.body.toString('utf8'));
  };
  const upload = (path: string, body: Buffer) => srv.call('POST', `/api/v1/upload?uploadType=media&path=${encodeURIComponent(path)}`, { body });

  it('refuses /metrics without the token from an address not allowed', async () => {
    expect((await srv.call('GET', '/metrics', { headers: { authorization: '' } })).status).toBe(401);
    expect((await srv.call('GET', '/metrics', { headers: { authorization: 'Bearer not-the-token' } })).status).toBe(401);
    // A user's bearer token is no metrics token.
    expect((await srv.call('GET', '/metrics')).status).toBe(401);
  });

  it('counts requests, transfers, engine stages, dedup and nodes, and the series move with traffic', async () => {
    const before = await scrape();
    const login = await srv.call('POST', '/api/v1/auth/login', { json: { username: srv.username, password: PASSWORD } });
    expect(login.status).toBe(200);
    expect((await srv.call('POST', '/api/v1/auth/login', { json: { username: srv.username, password: 'not the password' } })).status).toBe(401);
    const data = randomBytes(3 * 1024 * 1024 + 12_345); // several blocks, 4+2 coded
    expect((await upload(`/m-${Date.now()}.bin`, data)).status).toBe(201);
    expect((await upload(`/m-${Date.now()}-copy.bin`, data)).status).toBe(201); // the same blocks: dedup
    const text = Buffer.from('compressible '.repeat(40_000));
    const up = await upload(`/m-${Date.now()}.txt`, text);
    expect(up.status).toBe(201);
    const down = await srv.call('GET', `/api/v1/files/${up.json().id}/content`);
    expect(down.status).toBe(200);
    expect(down.body.equals(text)).toBe(true);
    expect((await srv.call('GET', '/api/v1/files/00000000-0000-4000-8000-000000000000/content')).status).toBe(404);
    await new Promise((r) => setTimeout(r, 1_100)); // past the second the database figures are kept
    const after = await scrape();

    const grew = (name: string, labels: Record<string, string> = {}) => {
      expect(has(after, name, labels), `${name} ${JSON.stringify(labels)} exists`).toBe(true);
      expect(sumOf(after, name, labels), `${name} ${JSON.stringify(labels)} grew`).toBeGreaterThan(sumOf(before, name, labels));
    };
    grew('coffer_http_requests_total', { method: 'POST', route: '/api/v1/upload', status: '201' });
    grew('coffer_http_requests_total', { method: 'POST', route: '/api/v1/auth/login', status: '200' });
    grew('coffer_http_requests_total', { route: '/api/v1/files/:id/content', status: '404' });
    grew('coffer_http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/files/:id/content' });
    grew('coffer_http_request_bytes_total', { method: 'POST', route: '/api/v1/upload' });
    grew('coffer_http_response_bytes_total', { method: 'GET', route: '/api/v1/files/:id/content' });
    grew('coffer_transfers_total', { direction: 'upload', via: 'api' });
    grew('coffer_transfers_total', { direction: 'download', via: 'api' });
    expect(sumOf(after, 'coffer_transfer_bytes_total', { direction: 'upload' }) - sumOf(before, 'coffer_transfer_bytes_total', { direction: 'upload' })).toBeGreaterThanOrEqual(2 * data.length + text.length);
    expect(sumOf(after, 'coffer_transfer_bytes_total', { direction: 'download' }) - sumOf(before, 'coffer_transfer_bytes_total', { direction: 'download' })).toBeGreaterThanOrEqual(text.length);
    for (const stage of ['chunk', 'sha256', 'compress+encrypt', 'erasure', 'store', 'fetch+decode shards', 'decrypt+decompress+verify']) {
      grew('coffer_engine_stage_seconds_count', { stage });
    }
    grew('coffer_engine_block_puts_total', { result: 'stored' });
    grew('coffer_engine_block_puts_total', { result: 'deduplicated' });
    grew('coffer_engine_put_bytes_total', { stage: 'logical' });
    grew('coffer_storage_bytes', { stage: 'logical' });
    grew('coffer_storage_blocks');
    // The copy doubled the random file's logical bytes; the text compresses; 4+2 adds half.
    expect(sumOf(after, 'coffer_dedup_ratio')).toBeGreaterThan(1.3);
    expect(sumOf(after, 'coffer_compression_ratio')).toBeGreaterThan(1);
    expect(sumOf(after, 'coffer_storage_bytes', { stage: 'erasure_coded' })).toBeGreaterThan(1.4 * sumOf(after, 'coffer_storage_bytes', { stage: 'compressed' }));
    grew('coffer_auth_failures_total', { method: 'password' });
    // Nodes, quorum, queue, connections, database, process: present with sane values.
    for (const n of cluster.nodes) {
      expect(sumOf(after, 'coffer_node_up', { node: n.id }), n.id).toBe(1);
      expect(has(after, 'coffer_node_probe_latency_seconds', { node: n.id })).toBe(true);
    }
    expect(sumOf(after, 'coffer_write_quorum_nodes')).toBe(5);
    expect(has(after, 'coffer_degraded_blocks')).toBe(true);
    expect(has(after, 'coffer_jobs')).toBe(true); // the schedules enqueue jobs at boot
    expect(has(after, 'coffer_open_connections', { kind: 'websocket' })).toBe(true);
    expect(has(after, 'coffer_open_connections', { kind: 'longpoll' })).toBe(true);
    expect(sumOf(after, 'coffer_db_pool_max', { driver: 'postgres' })).toBe(10);
    expect(sumOf(after, 'coffer_db_connections')).toBeGreaterThan(0);
    expect(sumOf(after, 'process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
    expect(has(after, 'nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('logs JSON lines with request ids, an access line per request, failed sign-ins for fail2ban, and no secrets', async () => {
    const outputBefore = srv.output().length;
    const wrongPassword = `wrong-${randomBytes(9).toString('hex')}`;
    const fakeToken = `cfr_${randomBytes(24).toString('base64url')}`;
    const fakeCookie = randomBytes(24).toString('base64url');
    // A real sign-in: its token, and an app password with a right and a wrong use on WebDAV.
    const login = await srv.call('POST', '/api/v1/auth/login', { json: { username: srv.username, password: PASSWORD }, headers: { 'x-request-id': 'obs-test-login-1' } });
    expect(login.status).toBe(200);
    expect(login.headers['x-request-id']).toBe('obs-test-login-1');
    const sessionToken: string = login.json().token;
    const appPassword: string = (await srv.call('POST', '/api/v1/app-passwords', { json: { label: 'obs test' } })).json().password;
    const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    expect((await srv.call('PROPFIND', `/dav/files/${srv.username}/`, { headers: { authorization: basic(srv.username, appPassword), depth: '0' } })).status).toBe(207);
    const wrongAppPassword = `${appPassword.slice(0, -4)}zzzz`;

    // Failed sign-ins of every kind, each counted below.
    const failures: { what: string; status: number }[] = [];
    const fail = async (what: string, p: Promise<{ status: number }>) => failures.push({ what, status: (await p).status });
    await fail('password', srv.call('POST', '/api/v1/auth/login', { json: { username: srv.username, password: wrongPassword } }));
    await fail('password', srv.call('POST', '/api/v1/auth/login', { json: { username: `nobody_${Date.now()}`, password: wrongPassword } }));
    await fail('two-factor', srv.call('POST', '/api/v1/auth/2fa', { json: { ticket: randomBytes(16).toString('hex'), totp: '123456' } }));
    await fail('basic', srv.call('PROPFIND', `/dav/files/${srv.username}/`, { headers: { authorization: basic(srv.username, wrongAppPassword), depth: '0' } }));
    await fail('bearer', srv.call('GET', '/api/v1/me', { headers: { authorization: `Bearer ${fakeToken}` } }));
    await fail('cookie', srv.call('GET', '/api/v1/me', { headers: { authorization: '', cookie: `coffer_session=${fakeCookie}` } }));
    expect(failures.map((f) => f.status)).toEqual([401, 401, 401, 401, 401, 401]);
    // Not failures: WebDAV's first request without credentials (to get the challenge).
    expect((await srv.call('PROPFIND', `/dav/files/${srv.username}/`, { headers: { authorization: '', depth: '0' } })).status).toBe(401);

    // Uploads, downloads and errors, with the new session token; a forged request id is replaced.
    const auth = { authorization: `Bearer ${sessionToken}` };
    const up = await srv.call('POST', `/api/v1/upload?uploadType=media&path=${encodeURIComponent(`/log-${Date.now()}.txt`)}`, { body: 'hello log', headers: { ...auth, 'x-request-id': 'bad id "with quotes"' } });
    expect(up.status).toBe(201);
    expect(up.headers['x-request-id']).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect((await srv.call('GET', `/api/v1/files/${up.json().id}/content`, { headers: auth })).status).toBe(200);
    expect((await srv.call('POST', '/api/v1/mkdir', { headers: { ...auth, 'content-type': 'application/json' }, body: '{not json' })).status).toBe(400);
    expect((await srv.call('GET', '/api/v1/no-such-route', { headers: auth })).status).toBe(404);

    // Lines are written when the answer's last byte is sent: give the last ones a moment.
    await new Promise((r) => setTimeout(r, 300));
    const output = srv.output().slice(outputBefore);
    const lines = output.split('\n').filter(Boolean);
    const entries = lines.map((l) => {
      expect(() => JSON.parse(l), `a JSON line: ${l}`).not.toThrow();
      return JSON.parse(l) as Record<string, unknown>;
    });
    // One access line per request, each with its request id, route pattern, status, bytes and duration.
    const access = entries.filter((e) => e.msg === 'request');
    expect(access.length).toBeGreaterThanOrEqual(14);
    for (const a of access) {
      expect(a).toMatchObject({ level: 'info', component: 'http', reqId: expect.any(String), method: expect.any(String), route: expect.any(String), status: expect.any(Number), bytesIn: expect.any(Number), bytesOut: expect.any(Number), ms: expect.any(Number) });
    }
    const loginLine = access.find((a) => a.reqId === 'obs-test-login-1');
    expect(loginLine).toMatchObject({ route: '/api/v1/auth/login', status: 200 });
    const uploadLine = access.find((a) => a.route === '/api/v1/upload' && a.status === 201);
    expect(uploadLine).toMatchObject({ userId: expect.any(String), bytesIn: expect.any(Number) });
    expect(uploadLine!.bytesIn as number).toBeGreaterThanOrEqual('hello log'.length);
    expect(access.some((a) => a.reqId === 'bad id "with quotes"')).toBe(false);
    // Raw paths never (file names, link tokens): only route patterns.
    expect(output).not.toContain('/log-');

    // Failed sign-ins: one warn line each, which the fail2ban filter matches with the client's address.
    const regexes = await failRegexes();
    const banned = lines.map((l) => bannedHost(regexes, l)).filter((h) => h !== undefined);
    expect(banned).toEqual(failures.map(() => '127.0.0.1'));
    const warned = entries.filter((e) => e.level === 'warn' && String(e.msg).startsWith('authentication failed'));
    expect(warned.map((w) => w.auth)).toEqual(failures.map((f) => f.what));
    // fail2ban itself agrees, where it is installed.
    const f2b = await fail2banRegex(join(srv.dataDir, 'coffer.log'), lines);
    if (f2b !== undefined) expect(f2b).toBe(failures.length);

    // No secret of this run anywhere in the whole log.
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    const secrets = {
      PASSWORD, wrongPassword, sessionToken, appPassword, wrongAppPassword, fakeToken, fakeCookie,
      userToken: srv.token, metricsToken: METRICS_TOKEN,
      sessionTokenHash: sha(sessionToken), userTokenHash: sha(srv.token), appPasswordHash: sha(appPassword),
      basicHeader: basic(srv.username, appPassword).slice(6), wrongBasicHeader: basic(srv.username, wrongAppPassword).slice(6),
    };
    const whole = srv.output();
    for (const [name, secret] of Object.entries(secrets)) expect(whole.includes(secret), `${name} is in the log`).toBe(false);
    expect(whole).not.toMatch(/coffer_session=|authorization/i);
  });

  it('is ready while the write quorum of nodes answers, 503 below it, and ready again when nodes return', async () => {
    const ready = async () => {
      const res = await srv.call('GET', '/readyz');
      return { status: res.status, body: res.json() };
    };
    let r = await ready();
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ready', failing: [], database: true, storage: { ok: true, code: '4+2', needed: 5, reachable: 6 } });
    expect(r.body.nodes).toHaveLength(6);
    try {
      await cluster.kill(0);
      r = await ready();
      expect(r.status, 'one node down: 5 of 6 still make the quorum').toBe(200);
      expect(r.body.storage).toMatchObject({ ok: true, reachable: 5 });
      await cluster.kill(1);
      r = await ready();
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ status: 'not ready', failing: ['storage'], database: true, storage: { ok: false, needed: 5, reachable: 4 } });
      expect(r.body.nodes.filter((n: { up: boolean }) => !n.up).map((n: { id: string }) => n.id).sort()).toEqual([cluster.nodes[0]!.id, cluster.nodes[1]!.id].sort());
      // Liveness stays: the process is fine, its storage is not.
      expect((await srv.call('GET', '/healthz')).status).toBe(200);
    } finally {
      await cluster.start(0);
      await cluster.start(1);
    }
    r = await ready();
    expect(r.status).toBe(200);
    expect(r.body.storage).toMatchObject({ ok: true, reachable: 6 });
  });
});

/** Failures fail2ban-regex counts in `lines` with the filter, or undefined when fail2ban is not installed. */
async function fail2banRegex(file: string, lines: string[]): Promise<number | undefined> {
  await writeFile(file, `${lines.join('\n')}\n`);
  try {
    const { stdout } = await promisify(execFile)('fail2ban-regex', [file, FILTER_PATH.pathname]);
    const m = /Failregex: (\d+) total/.exec(stdout);
    if (!m) throw new Error(`fail2ban-regex said:\n${stdout}`);
    return Number(m[1]);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
