/**
 * Every error the HTTP layer can answer with, and the ONE place that turns any thrown value
 * into an HTTP answer. Routes throw; `installErrorHandler` answers the protocol's envelope
 * `{ "error": { "code", "message", "details"? } }` with the right status and headers; codes are
 * the protocol's (`ERROR_CODES` of @coffer/protocol: tsc refuses any other).
 * Unexpected errors (bugs, engine integrity failures) become a generic 500 that leaks nothing
 * and are logged once; every bad input becomes a 4xx with a reason (DESIGN §7 invariant 5).
 */
import type { Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { pgErrorCode } from './db/errors.js';
import { loggable } from './error-log.js';
import { componentLogger, logError } from './observability/log.js';
import { readJsonText } from './json-body.js';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { JSON_BODY_ENCODINGS, type ErrorBody, type ErrorCode } from '@coffer/protocol';
import {
  IntegrityError,
  InvalidArgumentError,
  NodeDownError,
  NotFoundError as EngineNotFoundError,
  QuorumError,
  UnrecoverableError,
} from '@coffer/storage-engine';

export interface HttpErrorOptions {
  /** Machine-readable code, snake_case; defaults to the status's code (e.g. 'not_found'). */
  code?: ErrorCode;
  details?: unknown;
  cause?: unknown;
}

/** An error whose HTTP answer is known: status, code, message safe to show, optional details and headers. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly details?: unknown;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    options: { details?: unknown; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    if (options.details !== undefined) this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

/** An error as one item of a batch answers it (the protocol's BatchFileError): what the request alone would have answered. */
export function batchItemError(err: HttpError): { status: number; code: ErrorCode; message: string; details?: unknown } {
  return { status: err.status, code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) };
}

export class BadRequestError extends HttpError {
  constructor(message = 'Bad request', options: HttpErrorOptions = {}) {
    super(400, options.code ?? 'bad_request', message, options);
  }
}

/** 401 always carries a challenge (RFC 9110 §15.5.2). Bearer by default: a Basic challenge
 *  would make browsers pop up a login dialog over the web app; WebDAV passes `Basic realm=…`. */
export class UnauthorizedError extends HttpError {
  constructor(message = 'Authentication required', options: HttpErrorOptions & { challenge?: string } = {}) {
    super(401, options.code ?? 'unauthorized', message, {
      ...options,
      headers: { 'WWW-Authenticate': options.challenge ?? 'Bearer realm="coffer"' },
    });
  }
}

export class ForbiddenError extends HttpError {
  constructor(message = 'Forbidden', options: HttpErrorOptions = {}) {
    super(403, options.code ?? 'forbidden', message, options);
  }
}

export class NotFoundError extends HttpError {
  constructor(message = 'Not found', options: HttpErrorOptions = {}) {
    super(404, options.code ?? 'not_found', message, options);
  }
}

/** 409. `current` describes what is there now (e.g. the head revision a stale commit lost to),
 *  so a client can resolve without another round trip; it is sent as `details.current`. */
export class ConflictError extends HttpError {
  readonly current?: unknown;
  constructor(message = 'Conflict', options: HttpErrorOptions & { current?: unknown } = {}) {
    const details =
      options.current === undefined
        ? options.details
        : { ...(isPlainObject(options.details) ? options.details : {}), current: options.current };
    super(409, options.code ?? 'conflict', message, { ...options, details });
    if (options.current !== undefined) this.current = options.current;
  }
}

export class PreconditionFailedError extends HttpError {
  constructor(message = 'Precondition failed', options: HttpErrorOptions = {}) {
    super(412, options.code ?? 'precondition_failed', message, options);
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(message = 'Payload too large', options: HttpErrorOptions = {}) {
    super(413, options.code ?? 'payload_too_large', message, options);
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor(message = 'Unsupported media type', options: HttpErrorOptions = {}) {
    super(415, options.code ?? 'unsupported_media_type', message, options);
  }
}

/** 422: the request is well formed and the content of the right kind, but it cannot be processed. */
export class UnprocessableContentError extends HttpError {
  constructor(message = 'Unprocessable content', options: HttpErrorOptions = {}) {
    super(422, options.code ?? 'bad_request', message, options);
  }
}

/** 416 with `Content-Range: bytes * /size` (RFC 9110 §14.4) when the representation's size is known. */
export class RangeNotSatisfiableError extends HttpError {
  constructor(message = 'Range not satisfiable', options: HttpErrorOptions & { size?: number } = {}) {
    super(416, options.code ?? 'range_not_satisfiable', message, {
      ...options,
      headers: options.size === undefined ? {} : { 'Content-Range': `bytes */${options.size}` },
    });
  }
}

/** 429 with `Retry-After` (whole seconds). `details.retryAfter` repeats it for browser code,
 *  which cannot read that header cross-origin. */
export class TooManyRequestsError extends HttpError {
  readonly retryAfter: number;
  constructor(message = 'Too many requests', options: HttpErrorOptions & { retryAfter: number }) {
    const retryAfter = retrySeconds(options.retryAfter);
    super(429, options.code ?? 'too_many_requests', message, {
      ...options,
      details: options.details ?? { retryAfter },
      headers: { 'Retry-After': String(retryAfter) },
    });
    this.retryAfter = retryAfter;
  }
}

/** 503 with `Retry-After`: the storage nodes cannot serve right now, trying again may work. */
export class ServiceUnavailableError extends HttpError {
  readonly retryAfter: number;
  constructor(message = 'Service temporarily unavailable', options: HttpErrorOptions & { retryAfter?: number } = {}) {
    const retryAfter = retrySeconds(options.retryAfter ?? STORAGE_RETRY_AFTER_SECONDS);
    super(503, options.code ?? 'unavailable', message, {
      ...options,
      details: options.details ?? { retryAfter },
      headers: { 'Retry-After': String(retryAfter) },
    });
    this.retryAfter = retryAfter;
  }
}

/** 507: over quota (the status WebDAV and RFC 4331 use, so API and DAV answer alike). */
export class InsufficientStorageError extends HttpError {
  constructor(message = 'Insufficient storage', options: HttpErrorOptions = {}) {
    super(507, options.code ?? 'insufficient_storage', message, options);
  }
}

/** How long clients should wait when storage nodes are down or short of a quorum: long enough
 *  for a restarting node to come back, short enough that a sync client does not look stuck. */
export const STORAGE_RETRY_AFTER_SECONDS = 5;

export type { ErrorBody } from '@coffer/protocol';
export interface ErrorAnswer {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}
/** Where unexpected errors go; `installErrorHandler` and `errorResponse` default to the log (at
 *  error level, with the request's id). Database errors reach it without their SQL and parameters
 *  (error-log.ts). */
export type ErrorLogger = (message: string, err: unknown) => void;

const httpLog = componentLogger('http');
const defaultLogger: ErrorLogger = (message, err) => logError(message, err, httpLog);

/** Map any thrown value to its HTTP answer. Logs (once) only what the operator must see:
 *  unexpected errors and storage failures; deliberate HttpErrors are not logged. */
export function errorResponse(err: unknown, logger: ErrorLogger = defaultLogger): ErrorAnswer {
  const log: ErrorLogger = (message, e) => logger(message, loggable(e));
  if (err instanceof HttpError) return answer(err);
  if (err instanceof z.core.$ZodError) return answer(fromZodError(err));
  if (err instanceof InvalidArgumentError) return answer(new BadRequestError(err.message, { code: 'invalid_argument' }));
  if (err instanceof EngineNotFoundError) return answer(new NotFoundError()); // the message names a node and key: internal
  if (err instanceof QuorumError || err instanceof UnrecoverableError || err instanceof NodeDownError) {
    log('storage unavailable', err);
    return answer(new ServiceUnavailableError('Storage is temporarily unavailable; try again shortly'));
  }
  if (err instanceof IntegrityError) {
    log('integrity failure', err);
    return answer(new HttpError(500, 'integrity', 'Stored data failed its integrity check; the administrator has been alerted'));
  }
  if (err instanceof HTTPException) return fromHonoException(err, log);
  if (isClientAbort(err)) {
    // The client closed the connection while sending its body: nobody reads this answer, and it
    // is no server error worth a log line.
    return answer(new BadRequestError('the request body ended before it was complete', { code: 'incomplete_body' }));
  }
  if (pgErrorCode(err) === '40P01' || pgErrorCode(err) === '40001') {
    // Two transactions crossed (deadlock or serialization failure) and the database chose this
    // one to give way; nothing was committed, so the same request may simply be sent again.
    return answer(new ServiceUnavailableError('the request crossed another one and was not applied; try again', { code: 'retry', retryAfter: 1 }));
  }
  log('unexpected error', err);
  return answer(new HttpError(500, 'internal', 'Internal server error'));
}

/** Wire the mapping into a Hono app: every thrown error and every unknown route answers JSON.
 *  Call it before adding routes: the first middleware catches values that are not Errors,
 *  which Hono's onError never sees (they would escape app.fetch). */
export function installErrorHandler(app: Hono, options: { logger?: ErrorLogger } = {}): void {
  const log = options.logger ?? defaultLogger;
  const reply = (c: Context, err: unknown) => {
    const a = errorResponse(err, log);
    return c.json(a.body, a.status as ContentfulStatusCode, a.headers);
  };
  app.use('*', async (c, next) => {
    try {
      await next();
    } catch (err) {
      return reply(c, err); // only non-Errors get here: Hono hands Errors to onError inside next()
    }
  });
  app.onError((err, c) => reply(c, err));
  app.notFound((c) =>
    c.json({ error: { code: 'not_found', message: `No route for ${c.req.method} ${c.req.path}` } } satisfies ErrorBody, 404),
  );
}

/** Validate input against a schema; a mismatch throws the same 400 a ZodError maps to. */
export function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw fromZodError(r.error);
  return r.data;
}

/** Read a JSON request body (capped: json-body.ts) and validate it. Too long is 413
 *  'payload_too_large'; malformed JSON or UTF-8 is the client's fault: 400 'invalid_json', never
 *  the 500 that `c.req.json()`'s SyntaxError would otherwise become. */
export async function parseJsonBody<T>(c: Context, schema: z.ZodType<T>, opts: { maxBytes?: number } = {}): Promise<T> {
  return parse(schema, jsonValue(await jsonText(c, opts.maxBytes)));
}

/** The same for a body that may be left out: none (or only whitespace) is undefined. */
export async function parseOptionalJsonBody<T>(c: Context, schema: z.ZodType<T>): Promise<T | undefined> {
  const text = await jsonText(c);
  return text.trim() === '' ? undefined : parse(schema, jsonValue(text));
}

async function jsonText(c: Context, maxBytes?: number): Promise<string> {
  const read = await readJsonText(c, maxBytes);
  if (read.ok) return read.text;
  if (read.problem === 'too_large') {
    throw new PayloadTooLargeError(`a JSON body may be at most ${read.limit} bytes`, { details: { limit: read.limit } });
  }
  if (read.problem === 'bad_encoding' && !read.known) {
    throw new HttpError(415, 'unsupported_encoding', `a JSON body may be sent as ${JSON_BODY_ENCODINGS.join(' or ')}, not ${read.encoding}`, {
      headers: { 'Accept-Encoding': JSON_BODY_ENCODINGS.join(', ') },
    });
  }
  if (read.problem === 'bad_encoding') throw new BadRequestError(`Request body is not valid ${read.encoding}`, { code: 'invalid_json' });
  throw new BadRequestError('Request body is not valid JSON', { code: 'invalid_json' });
}

function jsonValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequestError('Request body is not valid JSON', { code: 'invalid_json' });
  }
}

/** Each zod issue as `{ path, message }` in details; the message reads on its own too. */
function fromZodError(err: z.core.$ZodError): BadRequestError {
  const issues = err.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
    message: i.message,
  }));
  const text = issues.map((i) => (i.path.length ? `${dotted(i.path)}: ${i.message}` : i.message)).join('; ');
  return new BadRequestError(`Invalid request: ${text}`, { code: 'invalid_request', details: { issues } });
}

function dotted(path: (string | number)[]): string {
  return path.map((p, n) => (typeof p === 'number' ? `[${p}]` : n === 0 ? p : `.${p}`)).join('');
}

/** Hono middleware (bearerAuth, validators, bodyLimit) throws HTTPException; keep its status
 *  and the headers that matter to the client, answer in our JSON shape. */
function fromHonoException(err: HTTPException, log: ErrorLogger): ErrorAnswer {
  if (err.status >= 500) {
    log('unexpected error', err);
    return answer(new HttpError(500, 'internal', 'Internal server error'));
  }
  const headers: Record<string, string> = {};
  for (const h of ['WWW-Authenticate', 'Retry-After', 'Allow', 'Content-Range']) {
    const v = err.res?.headers.get(h);
    if (v) headers[h] = v;
  }
  const code = STATUS_CODES[err.status] ?? 'bad_request';
  return answer(new HttpError(err.status, code, err.message || code.replaceAll('_', ' '), { headers }));
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  411: 'length_required',
  412: 'precondition_failed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  416: 'range_not_satisfiable',
  429: 'too_many_requests',
};

function answer(e: HttpError): ErrorAnswer {
  const error: ErrorBody['error'] = { code: e.code, message: e.message };
  if (e.details !== undefined) error.details = e.details;
  return { status: e.status, body: { error }, headers: { ...e.headers } };
}

/** Node's IncomingMessage fails its body with `aborted` (ECONNRESET) when the client goes away mid-request. */
function isClientAbort(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return err instanceof Error && ((e!.code === 'ECONNRESET' && e!.message === 'aborted') || e!.code === 'ERR_STREAM_PREMATURE_CLOSE');
}

function retrySeconds(s: number): number {
  return Number.isFinite(s) && s > 0 ? Math.ceil(s) : 1;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
