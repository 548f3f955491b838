/**
 * The OpenAPI document at /api/v1/openapi.json, generated from @coffer/protocol: public, OpenAPI
 * 3.1, internally consistent, in step with the routes the app really registers (every route is an
 * operation with request and answer schemas, every operation is a route), with the access each
 * operation declares (a request without credentials is 401 exactly where it says so), and with
 * the operations server/API.md names. That every answer matches its schema is checked by the
 * whole HTTP test suite: the fixtures run the server with COFFER_VALIDATE_ANSWERS=1.
 */
import { readFile } from 'node:fs/promises';
import { ALL_OPERATIONS, routePath } from '@coffer/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { mountedOperation } from '../src/http/operation.js';
import { startTestServer, type TestServer } from './fixtures/server.js';

type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** `/files/:id` (Hono) → `/files/{id}` (OpenAPI). */
function toTemplate(path: string): string {
  const t = path.replace(/:([A-Za-z_][A-Za-z0-9_]*)(\{[^}]*\})?\??/g, '{$1}');
  return t.length > 1 ? t.replace(/\/+$/, '') : t;
}

/** Every `METHOD /path` server/API.md names in backticks (with or without /api/v1), query strings dropped. */
function apiMdOperations(md: string): string[] {
  const out = new Set<string>();
  for (const m of md.matchAll(/`(GET|POST|PUT|PATCH|DELETE|HEAD) (\/[^`\s?]*)/g)) out.add(`${m[1]!.toLowerCase()} ${toTemplate(m[2]!.replace(/^\/api\/v1(?=\/)/, ''))}`);
  return [...out];
}

describe('OpenAPI document', () => {
  let srv: TestServer;
  let doc: Json;

  beforeAll(async () => {
    srv = await startTestServer('pglite');
    const res = await fetch(`${srv.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = (await res.json()) as Json;
  }, 60_000);
  afterAll(async () => {
    await srv?.close();
  });

  const operationsOf = (d: Json) =>
    Object.entries<Json>(d.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((method) => ({ path, method, op: item[method] as Json })));
  const resolve = (ref: string): any =>
    ref
      .replace(/^#\//, '')
      .split('/')
      .reduce<any>((o, k) => o?.[k.replaceAll('~1', '/').replaceAll('~0', '~')], doc);
  const deref = (x: Json): Json => (x.$ref ? resolve(x.$ref) : x);

  it('is served without credentials as OpenAPI 3.1 JSON', async () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBeTruthy();
    expect(doc.servers[0].url).toBe('/api/v1');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.cookieAuth).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'coffer_session' });
    // Credentials are still needed everywhere else.
    expect((await fetch(`${srv.url}/api/v1/me`)).status).toBe(401);
  });

  it('describes FileView and the Error shape exactly as the server answers them', () => {
    const fv = doc.components.schemas.FileView;
    expect(Object.keys(fv.properties).sort()).toEqual(
      ['id', 'name', 'path', 'parentId', 'isDir', 'size', 'rev', 'contentHash', 'pending', 'createdAt', 'modifiedAt', 'trashedAt', 'starred'].sort(),
    );
    // `starred` only where an answer looks it up (listings, metadata, stars, recent).
    expect(fv.required.sort()).toEqual(Object.keys(fv.properties).filter((k) => k !== 'starred').sort());
    const err = doc.components.schemas.Error;
    expect(err.required).toEqual(['error']);
    expect(err.properties.error.required).toEqual(['code', 'message']);
    expect(Object.keys(err.properties.error.properties)).toEqual(['code', 'message', 'details']);
    expect(err.properties.error.properties.code.enum).toContain('invalid_request');
    expect(Object.keys(doc['x-coffer-error-codes'])).toEqual(err.properties.error.properties.code.enum);
  });

  it('is internally consistent: refs resolve, path parameters are declared, operation ids unique, errors use Error', () => {
    const refs: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) (k === '$ref' && typeof x === 'string' ? refs.push(x) : walk(x));
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(50);
    for (const r of refs) expect(resolve(r), r).toBeDefined();

    const ids = new Set<string>();
    for (const { path, method, op } of operationsOf(doc)) {
      const what = `${method} ${path}`;
      expect(path.startsWith('/')).toBe(true);
      expect(ids.has(op.operationId), op.operationId).toBe(false);
      ids.add(op.operationId);
      const params = (op.parameters ?? []).map(deref) as Json[];
      for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
        expect(params.some((p) => p.in === 'path' && p.name === name && p.required), `${what}: {${name}}`).toBe(true);
      }
      for (const p of params) expect(p.schema, `${what}: parameter ${p.name} has a schema`).toBeTypeOf('object');
      expect(Object.keys(op.responses).length, what).toBeGreaterThan(0);
      for (const [status, r] of Object.entries<Json>(op.responses)) {
        const resp = deref(r);
        expect(resp.description, `${what} ${status}`).toBeTypeOf('string');
        if (Number(status) >= 400) expect(resp.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
      }
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      expect(op['x-coffer-auth'] === 'public', what).toBe(isPublic);
      if (!isPublic) expect(op.responses['401'], `${what} answers 401`).toBeDefined();
    }
  });

  it('gives every operation request and answer schemas', () => {
    for (const { path, method, op } of operationsOf(doc)) {
      const what = `${method} ${path}`;
      // At least one answer that is not an error, each with its content described (or none: 204, 304, 308).
      const answers = Object.entries<Json>(op.responses).filter(([s]) => Number(s) < 400);
      expect(answers.length, what).toBeGreaterThan(0);
      for (const [status, r] of answers) {
        for (const [type, media] of Object.entries<Json>(r.content ?? {})) {
          expect(media.schema, `${what} ${status} ${type}`).toBeTypeOf('object');
          if (type === 'application/json') expect(Object.keys(media.schema).length, `${what} ${status}`).toBeGreaterThan(0);
        }
        if ([204, 304, 308].includes(Number(status))) expect(r.content, `${what} ${status} has no body`).toBeUndefined();
      }
      // A body, when it takes one, has a schema per content type; a query or a JSON body can be refused with a 400.
      for (const media of Object.values<Json>(op.requestBody?.content ?? {})) expect(media.schema, what).toBeTypeOf('object');
      const validated = op.requestBody?.content?.['application/json'] || op.parameters?.some((p: Json) => p.in === 'query');
      if (validated) expect(op.responses['400'], `${what} answers 400`).toBeDefined();
    }
  });

  it('describes every /api/v1 route the app registers, and registers every operation it describes', () => {
    const app = createApp({ ...srv.deps, config: loadConfig({ COFFER_DATA_DIR: srv.dataDir }) });
    const registered = new Set<string>();
    const mounted = new Map<string, string>();
    for (const r of app.routes) {
      if (r.method === 'ALL' || !r.path.startsWith('/api/v1/')) continue;
      const key = `${r.method.toLowerCase()} ${toTemplate(r.path.slice('/api/v1'.length))}`;
      registered.add(key);
      const id = mountedOperation(r.handler);
      if (id) mounted.set(key, id);
    }
    // Each route is there through `mount`, for the operation its method and path name.
    for (const op of ALL_OPERATIONS) expect(mounted.get(`${op.method.toLowerCase()} ${op.path}`), `${op.method} ${op.path}`).toBe(op.id);
    expect([...registered].filter((r) => !mounted.has(r)).sort(), 'routes not mounted from an operation').toEqual([]);
    const documented = new Set(operationsOf(doc).map(({ method, path }) => `${method} ${path}`));
    expect([...registered].filter((r) => !documented.has(r)).sort(), 'registered but not in openapi.json').toEqual([]);
    expect([...documented].filter((d) => !registered.has(d)).sort(), 'in openapi.json but not registered').toEqual([]);
    expect(documented.size).toBe(ALL_OPERATIONS.length);
  });

  it('asks for credentials exactly where an operation says so: 401 without them, never for a public one', async () => {
    const sample: Record<string, string> = { id: '00000000-0000-4000-8000-000000000000', sha256: 'a'.repeat(64) };
    for (const op of ALL_OPERATIONS) {
      const path = routePath(op).replace(/:([A-Za-z_]+)/g, (_, name: string) => sample[name] ?? 'x');
      const res = await fetch(`${srv.url}/api/v1${path}`, { method: op.method, headers: { 'content-type': 'application/json' }, body: op.method === 'GET' || op.method === 'HEAD' ? undefined : '{}' });
      await res.arrayBuffer();
      if (op.auth === 'public') expect(res.status, `${op.method} ${op.path}`).not.toBe(401);
      else expect(res.status, `${op.method} ${op.path}`).toBe(401);
    }
  });

  it('names in server/API.md only operations the document has', async () => {
    const md = await readFile(new URL('../API.md', import.meta.url), 'utf8');
    const named = apiMdOperations(md);
    expect(named.length).toBeGreaterThanOrEqual(15);
    const documented = new Set(operationsOf(doc).map(({ method, path }) => `${method} ${path}`));
    expect(named.filter((n) => !documented.has(n))).toEqual([]);
  });
});
