/**
 * The OpenAPI document at /api/v1/openapi.json: public, OpenAPI 3.1, internally consistent, and in
 * step with both server/API.md's table and the routes the app really registers.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { startTestServer, type TestServer } from './fixtures/server.js';

type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** `/files/:id` (Hono or API.md) → `/files/{id}` (OpenAPI); a regex constraint `:id{…}` is dropped. */
function toTemplate(path: string): string {
  const t = path.replace(/:([A-Za-z_][A-Za-z0-9_]*)(\{[^}]*\})?\??/g, '{$1}');
  return t.length > 1 ? t.replace(/\/+$/, '') : t;
}

/** Every method+path named in API.md's table, with `[/:id]` expanded and query strings dropped. */
export function apiMdOperations(md: string): { method: string; paths: string[] }[] {
  const out: { method: string; paths: string[] }[] = [];
  for (const line of md.split('\n').filter((l) => l.startsWith('| `'))) {
    const firstCell = line.split(' | ')[0]!;
    for (const m of firstCell.matchAll(/`((?:GET|POST|PUT|PATCH|DELETE)(?:\/(?:GET|POST|PUT|PATCH|DELETE))*) (\/[^`\s]*)`/g)) {
      let raw = m[2]!.replace(/\[[?&][^\]]*\]/g, ''); // optional query parts
      raw = raw.split('?')[0]!;
      const opt = /\[([^\]]+)\]/.exec(raw);
      const paths = opt ? [raw.replace(opt[0], ''), raw.replace(opt[0], opt[1]!)] : [raw];
      for (const method of m[1]!.split('/')) out.push({ method: method.toLowerCase(), paths: paths.map(toTemplate) });
    }
  }
  return out;
}

describe('OpenAPI document', () => {
  let srv: TestServer;
  let doc: Json;

  beforeAll(async () => {
    srv = await startTestServer('pglite');
  }, 60_000);
  afterAll(async () => {
    await srv?.close();
  });

  it('is served without credentials as OpenAPI 3.1 JSON', async () => {
    const res = await fetch(`${srv.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = (await res.json()) as Json;
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
      ['id', 'name', 'path', 'parentId', 'isDir', 'size', 'rev', 'contentHash', 'pending', 'createdAt', 'modifiedAt', 'trashedAt'].sort(),
    );
    expect(fv.required.sort()).toEqual(Object.keys(fv.properties).sort());
    const err = doc.components.schemas.Error;
    expect(err.required).toEqual(['error']);
    expect(err.properties.error.required).toEqual(['code', 'message']);
    expect(Object.keys(err.properties.error.properties)).toEqual(['code', 'message', 'details']);
  });

  it('is internally consistent: refs resolve, path parameters are declared, operation ids unique, errors use Error', () => {
    const resolve = (ref: string): unknown =>
      ref
        .replace(/^#\//, '')
        .split('/')
        .reduce<any>((o, k) => o?.[k.replaceAll('~1', '/').replaceAll('~0', '~')], doc);
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
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      expect(path.startsWith('/')).toBe(true);
      for (const method of METHODS) {
        const o = item[method];
        if (!o) continue;
        expect(ids.has(o.operationId), o.operationId).toBe(false);
        ids.add(o.operationId);
        const params = (o.parameters ?? []).map((p: Json) => (p.$ref ? resolve(p.$ref) : p)) as Json[];
        for (const [, name] of path.matchAll(/\{([^}]+)\}/g)) {
          expect(params.some((p) => p.in === 'path' && p.name === name && p.required), `${method} ${path}: {${name}}`).toBe(true);
        }
        expect(Object.keys(o.responses).length, `${method} ${path}`).toBeGreaterThan(0);
        for (const [status, r] of Object.entries<Json>(o.responses)) {
          const resp = (r.$ref ? resolve(r.$ref) : r) as Json;
          expect(resp.description, `${method} ${path} ${status}`).toBeTypeOf('string');
          if (Number(status) >= 400) expect(resp.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
        }
        const isPublic = Array.isArray(o.security) && o.security.length === 0;
        if (!isPublic) expect(o.responses['401'], `${method} ${path} answers 401`).toBeDefined();
      }
    }
  });

  it('describes every endpoint in API.md’s table', async () => {
    const md = await readFile(new URL('../API.md', import.meta.url), 'utf8');
    const ops = apiMdOperations(md);
    expect(ops.length).toBeGreaterThanOrEqual(35);
    const missing = ops.filter(({ method, paths }) => !paths.some((p) => doc.paths[p]?.[method]));
    expect(missing.map((o) => `${o.method.toUpperCase()} ${o.paths.join(' | ')}`)).toEqual([]);
    for (const p of ['/upload', '/upload/sessions/{id}', '/download', '/files/{id}/content', '/revisions/restore', '/trash/{id}/restore']) {
      expect(doc.paths[p], p).toBeDefined();
    }
  });

  it('describes every /api/v1 route the app registers (and nothing it does not)', () => {
    const app = createApp({ ...srv.deps, config: loadConfig({ COFFER_DATA_DIR: srv.dataDir }) });
    const registered = new Set<string>();
    for (const r of app.routes) {
      if (r.method === 'ALL' || !r.path.startsWith('/api/v1/')) continue;
      const path = toTemplate(r.path.slice('/api/v1'.length));
      if (path === '/openapi.json' || path.includes('*')) continue;
      registered.add(`${r.method.toLowerCase()} ${path}`);
    }
    const documented = new Set<string>();
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const m of METHODS) if (item[m] && path !== '/openapi.json') documented.add(`${m} ${path}`);
    }
    const undocumented = [...registered].filter((r) => !documented.has(r)).sort();
    expect(undocumented, 'registered but not in openapi.json').toEqual([]);
    const phantom = [...documented].filter((d) => !registered.has(d)).sort();
    expect(phantom, 'in openapi.json but not registered').toEqual([]);
  });
});
