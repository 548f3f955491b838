/**
 * The OpenAPI 3.1 document of /api/v1, generated from the operations: zod 4's JSON Schema of
 * every parameter, body and answer (the input side: what a client sends and what it may read),
 * named schemas (`{ id }` in zod's global registry) as components, one shared answer per error status, and the
 * security each operation needs. Pure: the server serves it, tests and tools read it.
 */
import { z } from 'zod';
import { ERROR_CODES, ERROR_STATUSES, ErrorBody, type ErrorStatus } from './errors.js';
import { TAGS, type Answer, type HeaderDoc, type Operation } from './operation.js';
import { ALL_OPERATIONS } from './operations/index.js';
import { API_VERSION, CSRF_HEADER, SESSION_COOKIE } from './http-names.js';

type Json = Record<string, unknown>;


/** Formats whose regex zod spells out in full; the format says it already. */
const SELF_DESCRIBING_FORMATS = new Set(['uuid', 'date-time', 'email']);

/** Collects named schemas while converting, so every operation's `$defs` land in one components.schemas. */
class SchemaSet {
  readonly named: Record<string, Json> = {};

  toJson(schema: z.ZodType): Json {
    const out = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io: 'input',
      unrepresentable: 'any',
      override: ({ jsonSchema: s }) => {
        // A query integer is a digit string to zod; on the wire it is an OpenAPI integer parameter.
        if (s.type === 'integer' && s.pattern !== undefined) delete s.pattern;
        if (typeof s.format === 'string' && SELF_DESCRIBING_FORMATS.has(s.format)) delete s.pattern;
      },
    }) as Json;
    const defs = (out.$defs ?? {}) as Record<string, Json>;
    delete out.$defs;
    delete out.$schema;
    for (const [name, def] of Object.entries(defs)) {
      const mine = relink(def) as Json;
      const seen = this.named[name];
      if (seen && JSON.stringify(seen) !== JSON.stringify(mine)) throw new Error(`openapi: two different schemas are named ${name}`);
      this.named[name] = mine;
    }
    return relink(out) as Json;
  }
}

/** `#/$defs/X` → `#/components/schemas/X`, everywhere in a schema. */
function relink(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(relink);
  if (!v || typeof v !== 'object') return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v)) {
    out[k] = k === '$ref' && typeof x === 'string' ? x.replace(/^#\/\$defs\//, '#/components/schemas/') : relink(x);
  }
  return out;
}

function parameters(schemas: SchemaSet, where: 'path' | 'query', object: z.ZodObject | undefined): Json[] {
  if (!object) return [];
  return Object.entries(object.shape).map(([name, field]) => {
    const schema = schemas.toJson(field as z.ZodType);
    const description = schema.description;
    delete schema.description;
    // Required exactly when leaving it out does not parse; what it then parses to is its default.
    const absent = (field as z.ZodType).safeParse(undefined);
    const required = where === 'path' || !absent.success;
    if (absent.success && absent.data !== undefined && schema.default === undefined) {
      schema.default = schema.type === 'string' ? String(absent.data) : absent.data;
    }
    return { name, in: where, required, ...(typeof description === 'string' ? { description } : {}), schema };
  });
}

function headerObjects(headers: Readonly<Record<string, HeaderDoc>> | undefined): Json | undefined {
  if (!headers) return undefined;
  return Object.fromEntries(
    Object.entries(headers).map(([name, h]) => [
      name,
      {
        description: h.description,
        ...(h.required ? { required: true } : {}),
        schema: { type: h.type ?? 'string', ...(h.pattern ? { pattern: h.pattern } : {}) },
        ...(h.example ? { example: h.example } : {}),
      },
    ]),
  );
}

const bytes = (mediaType: string): Json => ({ type: 'string', contentMediaType: mediaType });

function answerObject(schemas: SchemaSet, a: Answer): Json {
  const headers = headerObjects(a.headers);
  const content =
    'json' in a && a.json ? { 'application/json': { schema: schemas.toJson(a.json) } } : 'bytes' in a && a.bytes ? { [a.bytes]: { schema: bytes(a.bytes) } } : undefined;
  return { description: a.description, ...(headers ? { headers } : {}), ...(content ? { content } : {}) };
}

function requestBody(schemas: SchemaSet, op: Operation): Json | undefined {
  const b = op.body;
  if (!b) return undefined;
  const content: Json = {};
  if (b.json) content['application/json'] = { schema: schemas.toJson(b.json) };
  if (b.raw) content[b.raw] = { schema: bytes(b.raw) };
  const description = 'description' in b ? b.description : undefined;
  const required = !('optional' in b && b.optional);
  return { required, ...(description ? { description } : {}), content };
}

const errorName = (status: ErrorStatus) => ERROR_STATUSES[status][0];

function operationObject(schemas: SchemaSet, op: Operation): Json {
  const params = [
    ...parameters(schemas, 'path', op.params),
    ...parameters(schemas, 'query', op.query),
    ...Object.entries(op.headers ?? {}).map(([name, h]) => ({ name, in: 'header', required: !!h.required, description: h.description, schema: { type: h.type ?? 'string', ...(h.pattern ? { pattern: h.pattern } : {}) } })),
    ...(op.unsafe && op.auth !== 'public' ? [{ $ref: '#/components/parameters/CsrfHeader' }] : []),
  ];
  const responses: Json = {};
  for (const [status, a] of Object.entries(op.answers)) responses[status] = answerObject(schemas, a);
  for (const status of op.errorStatuses) responses[String(status)] = { $ref: `#/components/responses/${errorName(status)}` };
  const body = requestBody(schemas, op);
  const who =
    op.auth === 'admin' ? ' Administrators only (not with an app password).' : op.signInOnly ? ' Not with an app password: sign in.' : '';
  const description = `${op.description ?? ''}${who}`.trim();
  return {
    tags: [op.tag],
    summary: op.summary,
    ...(description ? { description } : {}),
    operationId: op.id,
    ...(params.length ? { parameters: params } : {}),
    ...(body ? { requestBody: body } : {}),
    responses,
    ...(op.auth === 'public' ? { security: [] } : {}),
    'x-coffer-auth': op.auth,
    ...(op.signInOnly ? { 'x-coffer-sign-in-only': true } : {}),
  };
}

/** The document for these operations (all of /api/v1 by default). */
export function openApiDocument(ops: readonly Operation[] = ALL_OPERATIONS): Json {
  const schemas = new SchemaSet();
  const paths: Record<string, Json> = {};
  const usedErrors = new Set<ErrorStatus>();
  for (const op of ops) {
    const item = (paths[op.path] ??= {});
    const method = op.method.toLowerCase();
    if (item[method]) throw new Error(`openapi: ${op.method} ${op.path} is described twice`);
    item[method] = operationObject(schemas, op);
    for (const s of op.errorStatuses) usedErrors.add(s);
  }
  const errorSchema = schemas.toJson(ErrorBody);
  const responses: Json = {};
  for (const status of [...usedErrors].sort((a, b) => a - b)) {
    const headers: Json = {};
    if (status === 401) headers['WWW-Authenticate'] = { schema: { type: 'string' }, description: '`Bearer realm="coffer"`' };
    if (status === 429 || status === 503) headers['Retry-After'] = { schema: { type: 'integer' }, description: 'Seconds' };
    if (status === 416) headers['Content-Range'] = { schema: { type: 'string' }, example: 'bytes */1024' };
    responses[errorName(status)] = {
      description: ERROR_STATUSES[status][1],
      ...(Object.keys(headers).length ? { headers } : {}),
      content: { 'application/json': { schema: errorSchema } },
    };
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: {
      title: 'Coffer API',
      version: API_VERSION,
      summary: 'Self-hosted file storage and sync',
      description:
        'JSON under `/api/v1`. Errors are always `{ "error": { "code", "message", "details"? } }`; the codes and what they mean ' +
        'are listed under `x-coffer-error-codes`. Paths are `/`-separated, NFC, case-insensitive per folder; a path or id the ' +
        'caller cannot reach answers 404 exactly like a missing one. Authenticate with `Authorization: Bearer <token>` or the ' +
        `\`${SESSION_COOKIE}\` cookie (unsafe methods with the cookie also need \`${CSRF_HEADER}: 1\`). While an account must change its ` +
        'password, only `GET /me`, `POST /me/password` and `POST /auth/logout` answer (403 `password_change_required` otherwise). ' +
        'Changes and notifications are also pushed over a websocket at `/api/v1/events` (same credentials). Generated from ' +
        '`@coffer/protocol`; server/API.md explains the flows.',
      license: { name: 'Proprietary' },
    },
    servers: [{ url: '/api/v1', description: 'This server' }],
    security: [{ bearerAuth: [] }, { cookieAuth: [] }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: schemas.named,
      responses,
      parameters: {
        CsrfHeader: {
          name: CSRF_HEADER,
          in: 'header',
          required: false,
          schema: { type: 'string', enum: ['1'] },
          description: 'Required (value `1`) on unsafe methods authenticated by the session cookie',
        },
      },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'A device, CLI or app-password token (`Authorization: Bearer <token>`)' },
        cookieAuth: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description: `Browser session (set by login with \`cookie: true\`); unsafe methods also need \`${CSRF_HEADER}: 1\``,
        },
      },
    },
    'x-coffer-error-codes': ERROR_CODES,
  };
}
