/**
 * Typed calls of the admin API: every request is an operation of @coffer/protocol (method, path,
 * schemas), sent with the session cookie and the CSRF header; the JSON answer is parsed with the
 * operation's schema for the status that came. The same pattern as the web app's client, without
 * its offline copy and raw uploads (the dashboard only reads and changes JSON).
 */
import type { z } from 'zod';
import { CSRF_HEADER, ErrorBody, pathOf, type Operation, type OperationSpec } from '@coffer/protocol';

type Answers<O extends OperationSpec> = O['answers'];
export type Answered<O extends OperationSpec> = {
  [S in keyof Answers<O>]: Answers<O>[S] extends { json: infer Z extends z.ZodType } ? z.output<Z> : undefined;
}[keyof Answers<O>];

export interface Call<O extends OperationSpec> {
  params?: Record<string, string>;
  query?: O['query'] extends z.ZodType ? { [K in keyof z.input<O['query']>]?: string | number | boolean | undefined } : never;
  body?: O['body'] extends { json: infer Z extends z.ZodType } ? z.input<Z> : never;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let onUnauthorized: (() => void) | undefined;
/** Called when any call answers 401: the session is gone. */
export function whenUnauthorized(f: () => void): void {
  onUnauthorized = f;
}

export async function call<O extends Operation>(op: O, c: Call<O> = {}): Promise<Answered<O>> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries((c.query ?? {}) as Record<string, unknown>)) if (v !== undefined) qs.set(k, String(v));
  const q = qs.toString();
  const headers: Record<string, string> = { [CSRF_HEADER]: '1' };
  if (c.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`/api/v1${pathOf(op, c.params)}${q ? `?${q}` : ''}`, {
    method: op.method,
    headers,
    body: c.body === undefined ? undefined : JSON.stringify(c.body),
    credentials: 'same-origin',
  });
  if (!res.ok) {
    if (res.status === 401) onUnauthorized?.();
    const parsed = ErrorBody.safeParse(await res.json().catch(() => null));
    throw parsed.success ? new ApiError(res.status, parsed.data.error.code, parsed.data.error.message) : new ApiError(res.status, `http_${res.status}`, res.statusText || `HTTP ${res.status}`);
  }
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
