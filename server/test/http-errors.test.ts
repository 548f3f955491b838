/** Error mapping through a real Hono app: every error type → status, JSON body and headers. */
import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  IntegrityError,
  InvalidArgumentError,
  NodeDownError,
  NotFoundError as EngineNotFoundError,
  QuorumError,
  UnrecoverableError,
} from '@coffer/storage-engine';
import {
  BadRequestError,
  ConflictError,
  errorResponse,
  ForbiddenError,
  HttpError,
  InsufficientStorageError,
  installErrorHandler,
  NotFoundError,
  parse,
  parseJsonBody,
  PayloadTooLargeError,
  PreconditionFailedError,
  RangeNotSatisfiableError,
  ServiceUnavailableError,
  STORAGE_RETRY_AFTER_SECONDS,
  TooManyRequestsError,
  UnauthorizedError,
} from '../src/http-errors.js';

function build() {
  const logged: { message: string; err: unknown }[] = [];
  const app = new Hono();
  installErrorHandler(app, { logger: (message, err) => logged.push({ message, err }) });
  const throws = (path: string, make: () => unknown) =>
    app.get(path, async () => {
      await Promise.resolve(); // thrown after an await, as real handlers do
      throw make();
    });

  throws('/bad', () => new BadRequestError('size must be positive', { details: { field: 'size' } }));
  throws('/unauth', () => new UnauthorizedError());
  throws('/unauth-dav', () => new UnauthorizedError('App password required', { challenge: 'Basic realm="Coffer WebDAV"' }));
  throws('/forbidden', () => new ForbiddenError('You can only view this folder', { code: 'admin_only' }));
  throws('/notfound', () => new NotFoundError('No file at /a.txt'));
  throws('/conflict', () => new ConflictError('Base revision is stale', { current: { rev: 7, size: 12 } }));
  throws('/precondition', () => new PreconditionFailedError('ETag does not match'));
  throws('/too-large', () => new PayloadTooLargeError('Files are limited to 10 GiB', { details: { limit: 10 * 2 ** 30 } }));
  throws('/range', () => new RangeNotSatisfiableError('Range starts past the end', { size: 1234 }));
  throws('/slow-down', () => new TooManyRequestsError('Too many login attempts', { retryAfter: 29.2 }));
  throws('/unavailable', () => new ServiceUnavailableError());
  throws('/quota', () => new InsufficientStorageError('Quota of 10 GiB exceeded', { code: 'quota_exceeded' }));
  throws('/teapot', () => new HttpError(418, 'conflict', 'I am a teapot', { headers: { 'X-Brew': 'no' } }));
  throws('/zod', () => z.object({ name: z.string(), tags: z.array(z.string()) }).parse({ tags: ['a', 3] }));
  throws('/engine-invalid', () => new InvalidArgumentError('range end before start'));
  throws('/engine-quorum', () => new QuorumError('1 of 3 nodes took block b1 (need 2)'));
  throws('/engine-unrecoverable', () => new UnrecoverableError('block b1: 1 intact shard, need 2'));
  throws('/engine-down', () => new NodeDownError('node-secret-7', 'ECONNREFUSED 10.0.0.7:9000'));
  throws('/engine-integrity', () => new IntegrityError('shard 2 of block deadbeef: GCM tag mismatch'));
  throws('/engine-notfound', () => new EngineNotFoundError('node-1', 'ns/secret-key'));
  throws('/bug', () => new TypeError("Cannot read properties of undefined (reading 'dbPassword')"));
  throws('/string', () => 'a thrown string');
  throws('/hono-500', () => new HTTPException(500, { message: 'internal detail' }));

  app.get('/query', (c) => {
    const q = parse(z.object({ limit: z.coerce.number().int().min(1).max(1000) }), c.req.query());
    return c.json({ limit: q.limit });
  });
  app.post('/json', async (c) => {
    const body = await parseJsonBody(c, z.object({ name: z.string().min(1) }));
    return c.json({ hello: body.name });
  });
  app.use('/protected/*', bearerAuth({ token: 'right' }));
  app.get('/protected/x', (c) => c.text('in'));

  // Routes mounted as sub-apps (how the API grows) are answered by the same handler.
  const api = new Hono();
  api.get('/files/:id', () => {
    throw new NotFoundError('No such file', { code: 'block_not_found' });
  });
  app.route('/api/v1', api);
  return { app, logged };
}

async function call(app: Hono, path: string, init?: RequestInit) {
  const res = await app.request(path, init);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return { res, body: (await res.json()) as { error: { code: string; message: string; details?: unknown } } };
}

describe('HttpError subclasses answer their status, code, message and headers', () => {
  const { app, logged } = build();
  it.each([
    ['/bad', 400, 'bad_request', 'size must be positive', { field: 'size' }, {}],
    ['/unauth', 401, 'unauthorized', 'Authentication required', undefined, { 'www-authenticate': 'Bearer realm="coffer"' }],
    ['/unauth-dav', 401, 'unauthorized', 'App password required', undefined, { 'www-authenticate': 'Basic realm="Coffer WebDAV"' }],
    ['/forbidden', 403, 'admin_only', 'You can only view this folder', undefined, {}],
    ['/notfound', 404, 'not_found', 'No file at /a.txt', undefined, {}],
    ['/conflict', 409, 'conflict', 'Base revision is stale', { current: { rev: 7, size: 12 } }, {}],
    ['/precondition', 412, 'precondition_failed', 'ETag does not match', undefined, {}],
    ['/too-large', 413, 'payload_too_large', 'Files are limited to 10 GiB', { limit: 10737418240 }, {}],
    ['/range', 416, 'range_not_satisfiable', 'Range starts past the end', undefined, { 'content-range': 'bytes */1234' }],
    ['/slow-down', 429, 'too_many_requests', 'Too many login attempts', { retryAfter: 30 }, { 'retry-after': '30' }],
    ['/unavailable', 503, 'unavailable', 'Service temporarily unavailable', { retryAfter: 5 }, { 'retry-after': '5' }],
    ['/quota', 507, 'quota_exceeded', 'Quota of 10 GiB exceeded', undefined, {}],
    ['/teapot', 418, 'conflict', 'I am a teapot', undefined, { 'x-brew': 'no' }],
  ])('%s → %i %s', async (path, status, code, message, details, headers) => {
    const { res, body } = await call(app, path);
    expect(res.status).toBe(status);
    expect(body).toEqual({ error: details === undefined ? { code, message } : { code, message, details } });
    for (const [h, v] of Object.entries(headers)) expect(res.headers.get(h)).toBe(v);
    if (!('retry-after' in headers)) expect(res.headers.get('retry-after')).toBeNull();
  });

  it('does not log deliberate answers', () => {
    expect(logged).toEqual([]);
  });

  it('keeps `current` on the ConflictError for code that catches it', () => {
    const e = new ConflictError('stale', { current: { rev: 3 }, details: { path: '/a' } });
    expect(e.current).toEqual({ rev: 3 });
    expect(e.details).toEqual({ path: '/a', current: { rev: 3 } });
    expect(e).toBeInstanceOf(HttpError);
    expect(e.name).toBe('ConflictError');
  });
});

describe('validation errors are 400 with each issue', () => {
  const { app } = build();
  it('maps a thrown ZodError', async () => {
    const { res, body } = await call(app, '/zod');
    expect(res.status).toBe(400);
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.message).toMatch(/^Invalid request: name: .+; tags\[1\]: .+/);
    expect(body.error.details).toEqual({
      issues: [
        { path: ['name'], message: expect.any(String) },
        { path: ['tags', 1], message: expect.any(String) },
      ],
    });
  });

  it('parse() throws the same 400 and passes valid input through', async () => {
    const bad = await call(app, '/query?limit=0');
    expect(bad.res.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    expect((bad.body.error.details as { issues: { path: unknown[] }[] }).issues[0]!.path).toEqual(['limit']);
    const ok = await app.request('/query?limit=50');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ limit: 50 });
  });

  it('parseJsonBody: malformed JSON is 400 invalid_json, wrong shape 400 invalid_request', async () => {
    const post = (body: string) => ({ method: 'POST', body, headers: { 'content-type': 'application/json' } });
    const malformed = await call(app, '/json', post('{"name": '));
    expect(malformed.res.status).toBe(400);
    expect(malformed.body.error).toEqual({ code: 'invalid_json', message: 'Request body is not valid JSON' });
    const wrong = await call(app, '/json', post('{"name": ""}'));
    expect(wrong.res.status).toBe(400);
    expect(wrong.body.error.code).toBe('invalid_request');
    const ok = await app.request('/json', post('{"name": "Ada"}'));
    expect(await ok.json()).toEqual({ hello: 'Ada' });
  });
});

describe('storage engine errors', () => {
  it('invalid argument → 400 with its reason', async () => {
    const { app } = build();
    const { res, body } = await call(app, '/engine-invalid');
    expect(res.status).toBe(400);
    expect(body.error).toEqual({ code: 'invalid_argument', message: 'range end before start' });
  });

  it.each(['/engine-quorum', '/engine-unrecoverable', '/engine-down'])(
    '%s → 503 with Retry-After, no node details, logged once',
    async (path) => {
      const { app, logged } = build();
      const { res, body } = await call(app, path);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe(String(STORAGE_RETRY_AFTER_SECONDS));
      expect(body.error.code).toBe('unavailable');
      expect(JSON.stringify(body)).not.toMatch(/node|10\.0\.0\.7|block|shard/i);
      expect(logged).toHaveLength(1);
    },
  );

  it('integrity failure → 500 integrity, never leaking the internals, logged once', async () => {
    const { app, logged } = build();
    const { res, body } = await call(app, '/engine-integrity');
    expect(res.status).toBe(500);
    expect(body.error.code).toBe('integrity');
    expect(JSON.stringify(body)).not.toMatch(/deadbeef|GCM|shard/);
    expect(logged).toHaveLength(1);
    expect(logged[0]!.err).toBeInstanceOf(IntegrityError);
  });

  it('engine not-found → 404 without the node or key', async () => {
    const { app } = build();
    const { res, body } = await call(app, '/engine-notfound');
    expect(res.status).toBe(404);
    expect(body.error).toEqual({ code: 'not_found', message: 'Not found' });
  });
});

describe('anything else', () => {
  it.each(['/bug', '/string', '/hono-500'])('%s → generic 500, the error logged once', async (path) => {
    const { app, logged } = build();
    const { res, body } = await call(app, path);
    expect(res.status).toBe(500);
    expect(body).toEqual({ error: { code: 'internal', message: 'Internal server error' } });
    expect(logged).toHaveLength(1);
    expect(logged[0]!.err).toBeDefined();
  });

  it('Hono middleware exceptions keep their status and challenge, in our JSON shape', async () => {
    const { app, logged } = build();
    const { res, body } = await call(app, '/protected/x', { headers: { authorization: 'Bearer wrong' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(body.error.code).toBe('unauthorized');
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(logged).toEqual([]);
    expect((await app.request('/protected/x', { headers: { authorization: 'Bearer right' } })).status).toBe(200);
  });

  it('unknown routes answer a JSON 404, at the root and under a mounted sub-app', async () => {
    const { app } = build();
    for (const path of ['/nope', '/api/v1/nope']) {
      const { res, body } = await call(app, path);
      expect(res.status).toBe(404);
      expect(body.error.code).toBe('not_found');
      expect(body.error.message).toBe(`No route for GET ${path}`);
    }
  });

  it('errors thrown in a mounted sub-app are mapped too', async () => {
    const { app } = build();
    const { res, body } = await call(app, '/api/v1/files/42');
    expect(res.status).toBe(404);
    expect(body.error).toEqual({ code: 'block_not_found', message: 'No such file' });
  });
});

describe('errorResponse on its own', () => {
  it('omits details when there are none and copies headers', () => {
    const a = errorResponse(new TooManyRequestsError(undefined, { retryAfter: 0 }), () => {});
    expect(a.status).toBe(429);
    expect(a.headers).toEqual({ 'Retry-After': '1' }); // never tells clients to hammer at once
    expect(errorResponse(new ForbiddenError(), () => {}).body).toEqual({ error: { code: 'forbidden', message: 'Forbidden' } });
  });
});

describe('transient database conflicts', () => {
  it('a deadlock or serialization failure (also wrapped) is a 503 retry with Retry-After, not a 500', () => {
    for (const code of ['40P01', '40001']) {
      const wrapped = new Error('Failed query', { cause: Object.assign(new Error('deadlock detected'), { code }) });
      const a = errorResponse(wrapped, () => {});
      expect(a.status).toBe(503);
      expect(a.body.error.code).toBe('retry');
      expect(a.headers['Retry-After']).toBe('1');
    }
  });
});
