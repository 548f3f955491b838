/**
 * The route helper (server/src/http/operation.ts) and its answer check: input is parsed with the
 * operation's schemas (400 naming the field; a bad path id is the operation's 404), and with
 * validateAnswers every answer that strays from the operation — a wrong field, a field it does
 * not name, a status it does not declare, an error code not in the protocol — becomes a 500
 * `answer_mismatch` that says what differed. No database: a Hono app in memory.
 */
import { Hono } from 'hono';
import { id, operation, text } from '@coffer/protocol';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AppEnv } from '../src/auth/context.js';
import { OperationRouter } from '../src/http/operation.js';
import { ConflictError, HttpError, installErrorHandler } from '../src/http-errors.js';

const thing = operation({
  id: 'thing',
  method: 'POST',
  path: '/things/{id}',
  tag: 'files',
  summary: 'A test operation',
  auth: 'public',
  params: z.object({ id: id() }),
  badParams: { status: 404, code: 'not_found', message: 'no such thing' },
  query: z.object({ answer: z.enum(['good', 'wrong-type', 'extra', 'status', 'error', 'undeclared-error', 'bad-code']).default('good') }),
  body: { json: z.strictObject({ name: text(10, 1) }) },
  answers: { 201: { description: 'Made', json: z.object({ id: id(), name: z.string(), size: z.number().int() }) } },
  errors: [409],
});

function app(validateAnswers: boolean): Hono {
  const a = new Hono();
  installErrorHandler(a, { logger: () => {} });
  const r = new OperationRouter({ validateAnswers });
  r.mount(thing, async ({ params, query, body }) => {
    const good = { id: params.id, name: body.name, size: 1 };
    switch (query.answer) {
      case 'good':
        return { status: 201, body: good };
      case 'wrong-type':
        return { status: 201, body: { ...good, size: 'one' as unknown as number } };
      case 'extra':
        return { status: 201, body: { ...good, secret: 'x' } as typeof good };
      case 'status':
        return { status: 200 as 201, body: good };
      case 'error':
        throw new ConflictError('taken', { code: 'name_taken' });
      case 'undeclared-error':
        throw new HttpError(416, 'range_not_satisfiable', 'no');
      case 'bad-code':
        throw new HttpError(409, 'no_such_code' as 'conflict', 'no');
    }
  });
  a.route('/api/v1', r.router as unknown as Hono<AppEnv>);
  return a;
}

async function call(a: Hono, target: string, body: unknown = { name: 'n' }) {
  const res = await a.request(`/api/v1${target}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string; details?: any } } & Record<string, unknown> };
}

const ID = '6f1c2e4a-1b2c-4d3e-8f90-123456789abc';

describe('mounting an operation', () => {
  it('hands the handler parsed input and answers its reply', async () => {
    const r = await call(app(true), `/things/${ID}`);
    expect(r.status).toBe(201);
    expect(r.body).toEqual({ id: ID, name: 'n', size: 1 });
  });

  it('refuses a bad query or body with 400 invalid_request naming the field, and a bad id with the operation’s 404', async () => {
    const a = app(true);
    const q = await call(a, `/things/${ID}?answer=nope`);
    expect(q.status).toBe(400);
    expect(q.body.error!.code).toBe('invalid_request');
    expect(q.body.error!.details.issues[0].path).toEqual(['answer']);
    const b = await call(a, `/things/${ID}`, { name: '', more: 1 });
    expect(b.status).toBe(400);
    expect(b.body.error!.details.issues.map((i: { path: string[] }) => i.path.join('.')).sort()).toEqual(['', 'name']);
    const p = await call(a, '/things/not-a-uuid');
    expect(p.status).toBe(404);
    expect(p.body.error).toEqual({ code: 'not_found', message: 'no such thing' });
  });
});

describe('checking answers against the operation (COFFER_VALIDATE_ANSWERS)', () => {
  it.each([
    ['wrong-type', /status 201: size: /],
    ['extra', /fields the schema does not name: secret/],
    ['status', /status 200 is not one it declares/],
    ['undeclared-error', /status 416 is not one it declares/],
    ['bad-code', /error 409: error\.code: /],
  ])('turns %s into a 500 answer_mismatch saying what differed', async (answer, why) => {
    const r = await call(app(true), `/things/${ID}?answer=${answer}`);
    expect(r.status).toBe(500);
    expect(r.body.error!.code).toBe('answer_mismatch');
    expect(r.body.error!.message).toMatch(/POST \/things\/\{id\} \(thing\)/);
    expect(r.body.error!.message).toMatch(why);
  });

  it('lets declared answers and errors through', async () => {
    const a = app(true);
    expect((await call(a, `/things/${ID}`)).status).toBe(201);
    const e = await call(a, `/things/${ID}?answer=error`);
    expect(e.status).toBe(409);
    expect(e.body.error!.code).toBe('name_taken');
  });

  it('is off unless asked for: a stray answer then goes out as it is', async () => {
    const r = await call(app(false), `/things/${ID}?answer=extra`);
    expect(r.status).toBe(201);
    expect(r.body.secret).toBe('x');
  });
});
