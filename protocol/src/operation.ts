/**
 * What an operation of /api/v1 is: one definition says everything a client, the server and the
 * OpenAPI document need — method and path, who may call it, its parameters, query and body with
 * their schemas, each answer by status, and the error statuses it can give. The server mounts
 * routes from these (a route cannot exist without its description), validates with them and, in
 * tests, checks its answers against them.
 */
import type { z } from 'zod';
import type { ErrorCode, ErrorStatus } from './errors.js';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Who may call: anyone; a signed-in user (bearer token or session cookie); an administrator. */
export type Auth = 'public' | 'user' | 'admin';

export const TAGS = {
  meta: 'This description',
  auth: 'Signing in and out',
  account: 'The caller’s account, app passwords and devices',
  twofactor: 'Two-factor sign-in: authenticator apps (TOTP), passkeys (WebAuthn), recovery codes',
  admin: 'Accounts, roles and quotas; storage nodes, background jobs, degraded blocks (admin role)',
  files: 'The file tree',
  trash: 'Deleted entries',
  transfer: 'Uploads (simple and resumable) and downloads',
  revisions: 'A file’s history',
  sync: 'Delta sync: blocks by hash, commits from blocks, the change journal',
  notifications: 'The notification inbox',
  sharing: 'Shares to users and groups: offering, accepting (a mount in your tree), changing, revoking; groups (admin)',
  links: 'Public links and file drops (served under /s/{token})',
} as const;
export type Tag = keyof typeof TAGS;

/** A header an answer carries or a request may send, for the document. */
export interface HeaderDoc {
  description: string;
  type?: 'string' | 'integer';
  pattern?: string;
  example?: string;
  required?: boolean;
}

export interface JsonAnswer<S extends z.ZodType = z.ZodType> {
  description: string;
  json: S;
  headers?: Readonly<Record<string, HeaderDoc>>;
}
/** Raw bytes of this media type (downloads, blocks). */
export interface BytesAnswer {
  description: string;
  bytes: string;
  headers?: Readonly<Record<string, HeaderDoc>>;
}
/** No body (204, 304, 308). */
export interface EmptyAnswer {
  description: string;
  headers?: Readonly<Record<string, HeaderDoc>>;
}
export type Answer = JsonAnswer | BytesAnswer | EmptyAnswer;

/** A JSON body, read whole under a cap (`maxBytes`, else the server's COFFER_MAX_JSON_BYTES). */
export interface JsonBody<S extends z.ZodType = z.ZodType> {
  json: S;
  maxBytes?: number;
  /** None (or only whitespace) is allowed: the handler gets undefined. */
  optional?: boolean;
  raw?: undefined;
}
/** A raw body the handler streams (uploads, blocks), with limits of its own. */
export interface RawBody {
  raw: string;
  description?: string;
  optional?: boolean;
  json?: undefined;
}
/** Either, chosen by the query: JSON when `jsonWhen(query)`, else raw bytes (POST /upload). */
export interface EitherBody<S extends z.ZodType = z.ZodType> {
  json: S;
  raw: string;
  maxBytes?: number;
  jsonWhen: (query: never) => boolean;
  description?: string;
}
export type Body = JsonBody | RawBody | EitherBody;

export interface OperationSpec {
  /** The OpenAPI operationId. */
  id: string;
  method: Method;
  /** Under /api/v1, OpenAPI style: `/files/{id}`. */
  path: `/${string}`;
  tag: Tag;
  summary: string;
  description?: string;
  auth: Auth;
  /** Not with an app password (credential management): 403 `app_password_not_allowed`. */
  signInOnly?: boolean;
  /** Answers from memory: touches no database or storage, so never 503. */
  static?: boolean;
  params?: z.ZodObject;
  /** What a path parameter breaking its rule answers; default 404 `not_found` (such an id names nothing). */
  badParams?: { status: 400 | 404; code: ErrorCode; message: string };
  query?: z.ZodObject;
  /** Request headers that matter (Range, If-None-Match, Content-Range…). */
  headers?: Readonly<Record<string, HeaderDoc>>;
  body?: Body;
  answers: Readonly<Record<number, Answer>>;
  /** Error statuses besides the ones every operation of its kind can give (see `impliedErrors`). */
  errors?: readonly ErrorStatus[];
}

export type Operation<S extends OperationSpec = OperationSpec> = S & {
  /** An unsafe method: a cookie-authenticated call must send `X-Coffer-CSRF: 1`. */
  readonly unsafe: boolean;
  /** Every error status it can answer, sorted: the declared ones and the implied ones. */
  readonly errorStatuses: readonly ErrorStatus[];
};

const SAFE_METHODS: readonly Method[] = ['GET', 'HEAD'];

/**
 * The error statuses an operation gives by what it is: 400 when it takes a query or a JSON body
 * (or a path parameter whose bad form is a 400), 404 for a path parameter that names nothing, 413 and 415 (a Content-Encoding
 * not taken: json-encoding.ts) for a JSON body, 401 and 403 behind sign-in (no token; CSRF,
 * admin only, app password, a password change due), and 503 unless it is static (storage down,
 * or the request crossed another and was not applied).
 */
export function impliedErrors(spec: OperationSpec): ErrorStatus[] {
  const out: ErrorStatus[] = [];
  const badParams = spec.params ? (spec.badParams?.status ?? 404) : undefined;
  if (spec.query || spec.body?.json || badParams === 400) out.push(400);
  if (spec.auth !== 'public') out.push(401, 403);
  if (badParams === 404) out.push(404);
  if (spec.body?.json) out.push(413, 415);
  if (!spec.static) out.push(503);
  return out;
}

export function operation<const S extends OperationSpec>(spec: S): Operation<S> {
  const statuses = [...new Set([...(spec.errors ?? []), ...impliedErrors(spec)])].sort((a, b) => a - b);
  return { ...spec, unsafe: !SAFE_METHODS.includes(spec.method), errorStatuses: statuses };
}

/** `/files/{id}` → `/files/:id` (Hono's form). */
export function routePath(op: Pick<OperationSpec, 'path'>): string {
  return op.path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, ':$1');
}

/** The path with its parameters filled in (encoded), e.g. for a client. */
export function pathOf(op: Pick<OperationSpec, 'path'>, params: Readonly<Record<string, string>> = {}): string {
  return op.path.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = params[name];
    if (v === undefined) throw new Error(`${op.path}: no value for {${name}}`);
    return encodeURIComponent(v);
  });
}
