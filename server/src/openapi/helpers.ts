/** Helpers that keep the OpenAPI path files short: refs, JSON bodies, the shared error answers, operations. */

export type Json = Record<string, unknown>;

/** `{ $ref }` to a component schema. */
export const schema = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
/** `{ $ref }` to a component parameter. */
export const param = (name: string): Json => ({ $ref: `#/components/parameters/${name}` });

/** A JSON body of the given schema (request or response content). */
export function json(s: Json, description = ''): Json {
  return { ...(description ? { description } : {}), content: { 'application/json': { schema: s } } };
}

/** A required JSON request body. */
export function body(s: Json, description?: string): Json {
  return { required: true, ...json(s, description) };
}

/** The shared error answers, by status. Each is `{ error: { code, message, details? } }`. */
const ERROR_RESPONSES: Record<string, [name: string, description: string]> = {
  '400': ['BadRequest', 'Invalid input (`invalid_request`, `invalid_json`, `invalid_name`, …); nothing was changed'],
  '401': ['Unauthorized', 'No valid bearer token or session cookie (carries `WWW-Authenticate: Bearer`)'],
  '403': ['Forbidden', 'Authenticated but not allowed (e.g. not an admin, a cookie request without `X-Coffer-CSRF`, or `password_change_required`: the account must change its password first)'],
  '404': ['NotFound', 'No such entry, or one the caller cannot reach (answered exactly alike)'],
  '409': ['Conflict', 'The target exists or the base revision is stale; `details.current` describes what is there'],
  '410': ['Gone', 'The sync cursor can no longer be served (pruned, or from elsewhere): code `reset`, start over from `details.latestCursor`'],
  '412': ['PreconditionFailed', 'A precondition (`If-Match`, `baseRev`) did not hold'],
  '413': ['PayloadTooLarge', 'The body is larger than allowed or than declared (a JSON body: larger than `COFFER_MAX_JSON_BYTES`, 64 KiB by default)'],
  '416': ['RangeNotSatisfiable', 'The requested range lies outside the content (`Content-Range: bytes */size`)'],
  '429': ['TooManyRequests', 'Rate-limited; retry after `Retry-After` seconds (also `details.retryAfter`)'],
  '503': ['ServiceUnavailable', 'Storage nodes cannot serve right now; retry after `Retry-After` seconds'],
  '507': ['InsufficientStorage', 'Over quota'],
};

/** The response entries for these error statuses (401 is added to every authenticated operation by `op`). */
export function errors(...statuses: number[]): Json {
  const out: Json = {};
  for (const s of statuses) {
    const e = ERROR_RESPONSES[String(s)];
    if (!e) throw new Error(`openapi: no shared error response for ${s}`);
    out[String(s)] = { $ref: `#/components/responses/${e[0]}` };
  }
  return out;
}

export interface OpSpec {
  tag: string;
  summary: string;
  description?: string;
  operationId: string;
  parameters?: Json[];
  requestBody?: Json;
  responses: Json;
  /** Public operations (no credentials): login, signup, the document itself. */
  public?: boolean;
  /** Unsafe method: a cookie-authenticated call must send `X-Coffer-CSRF: 1`. */
  unsafe?: boolean;
}

/** One operation object; authenticated ones get the security requirement and a 401 answer. */
export function op(o: OpSpec): Json {
  const responses: Json = { ...o.responses };
  if (!o.public) Object.assign(responses, errors(401));
  if (o.unsafe && !o.public) Object.assign(responses, errors(403));
  const content = (o.requestBody as { content?: Json } | undefined)?.content;
  if (content && 'application/json' in content && !responses['413']) Object.assign(responses, errors(413));
  const parameters = [...(o.parameters ?? []), ...(o.unsafe && !o.public ? [param('CsrfHeader')] : [])];
  return {
    tags: [o.tag],
    summary: o.summary,
    ...(o.description ? { description: o.description } : {}),
    operationId: o.operationId,
    ...(parameters.length ? { parameters } : {}),
    ...(o.requestBody ? { requestBody: o.requestBody } : {}),
    responses,
    ...(o.public ? { security: [] } : {}),
  };
}

/** components.responses: one shared answer per error status. */
export const errorResponses: Json = {};
for (const [status, [name, description]] of Object.entries(ERROR_RESPONSES)) {
  const headers: Json = {};
  if (status === '401') headers['WWW-Authenticate'] = { schema: { type: 'string' } };
  if (status === '429' || status === '503') headers['Retry-After'] = { schema: { type: 'integer' } };
  if (status === '416') headers['Content-Range'] = { schema: { type: 'string' }, example: 'bytes */1024' };
  errorResponses[name] = { ...json(schema('Error'), description), ...(Object.keys(headers).length ? { headers } : {}) };
}
