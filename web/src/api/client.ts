/**
 * Typed calls of the Coffer API from the browser: every call is an operation of @coffer/protocol
 * (method, path, schemas), sent with the session cookie and the CSRF header, and its JSON answer
 * is parsed with the operation's schema for the status that came — the app never writes an API
 * type by hand. Failures are ApiError (status, code, message from the server's ErrorBody).
 * The admin dashboard uses it too (`@coffer/web/api`): it knows nothing of the app's offline
 * copies, which watch every answer through `observeAnswers` (api/network.ts).
 */
import type { z } from 'zod';
import { CSRF_HEADER, ErrorBody, pathOf, type Operation, type OperationSpec } from '@coffer/protocol';
import { takeEarly } from './early';

type Answers<O extends OperationSpec> = O['answers'];
/** What a call answers: the parsed JSON of whichever answer came (undefined for one without a body). */
export type Answered<O extends OperationSpec> = {
  [S in keyof Answers<O>]: Answers<O>[S] extends { json: infer Z extends z.ZodType } ? z.output<Z> : undefined;
}[keyof Answers<O>];

export interface Call<O extends OperationSpec> {
  params?: Record<string, string>;
  query?: O['query'] extends z.ZodType ? { [K in keyof z.input<O['query']>]?: string | number | boolean | undefined } : never;
  body?: O['body'] extends { json: infer Z extends z.ZodType } ? z.input<Z> : never;
  /** Raw bytes (uploads, blocks). */
  raw?: BodyInit;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const API_BASE = '/api/v1';

/** Called when any call answers 401: the session is gone (signed out elsewhere, expired). */
let onUnauthorized: (() => void) | undefined;
export function whenUnauthorized(f: () => void): void {
  onUnauthorized = f;
}

/** Sees every answer and every network failure (the app's reachability banner). */
let observer: { answered(res: Response): void; failed(): void } | undefined;
export function observeAnswers(o: { answered(res: Response): void; failed(): void }): void {
  observer = o;
}

/** The URL of an operation with its path parameters and query filled in (also for links and <img src>). */
export function urlOf<O extends Operation>(op: O, c: Pick<Call<O>, 'params' | 'query'> = {}): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries((c.query ?? {}) as Record<string, unknown>)) if (v !== undefined) qs.set(k, String(v));
  const q = qs.toString();
  return `${API_BASE}${pathOf(op, c.params)}${q ? `?${q}` : ''}`;
}

/** The fetch of one operation, its answer not read: for downloads and streams. */
export async function send<O extends Operation>(op: O, c: Call<O> = {}): Promise<Response> {
  const headers: Record<string, string> = { [CSRF_HEADER]: '1', ...c.headers };
  let body: BodyInit | undefined;
  if (c.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(c.body);
  } else if (c.raw !== undefined) {
    headers['content-type'] ??= 'application/octet-stream';
    body = c.raw;
  }
  const url = urlOf(op, c);
  let res: Response;
  try {
    // A GET that boot.ts already started at page load (the same URL) takes that answer.
    const early = op.method === 'GET' && !c.signal && !c.headers ? takeEarly(url) : undefined;
    res = (early && (await early.catch(() => undefined))) || (await fetch(url, { method: op.method, headers, body, credentials: 'same-origin', signal: c.signal }));
  } catch (err) {
    if (!c.signal?.aborted) observer?.failed();
    throw err;
  }
  observer?.answered(res);
  if (!res.ok) throw await errorOf(res);
  return res;
}

/** One operation, its JSON answer validated with the schema of the status that came. */
export async function call<O extends Operation>(op: O, c: Call<O> = {}): Promise<Answered<O>> {
  const res = await send(op, c);
  const answer = op.answers[res.status];
  const schema = answer && 'json' in answer ? answer.json : undefined;
  if (!schema) {
    await res.body?.cancel();
    return undefined as Answered<O>;
  }
  const parsed = schema.safeParse(await res.json());
  if (!parsed.success) throw new ApiError(res.status, 'bad_answer', `${op.id}: the server's answer does not match the protocol`);
  return parsed.data as Answered<O>;
}

export async function errorOf(res: Response): Promise<ApiError> {
  if (res.status === 401) onUnauthorized?.();
  try {
    const body = ErrorBody.parse(await res.json());
    return new ApiError(res.status, body.error.code, body.error.message, body.error.details);
  } catch {
    return new ApiError(res.status, 'http_' + res.status, res.statusText || `HTTP ${res.status}`);
  }
}
