/**
 * Tests run the server with COFFER_VALIDATE_ANSWERS=1: every answer an operation gives is checked
 * against its definition in @coffer/protocol — a declared status, a JSON body that parses with
 * that status's schema and carries no field the schema does not name, an error envelope with a
 * known code. A mismatch becomes a 500 `answer_mismatch` naming what differed, and a log line, so
 * the test that provoked it fails where it happened. Off in production: it reads every JSON body twice.
 */
import { zstdDecompressSync } from 'node:zlib';
import type { Context, MiddlewareHandler } from 'hono';
import { ErrorBody, type Operation } from '@coffer/protocol';
import type { z } from 'zod';
import { componentLogger, logError as logErrorTo } from '../observability/log.js';
import { logCheckedAnswer } from './answer-log.js';

const log = componentLogger('http');
const logError = (context: string, err: unknown) => logErrorTo(context, err, log);

export function answerCheck(op: Operation): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const problem = await answerProblem(op, c);
    if (!problem) return logCheckedAnswer(c.req.method, op.path, c.res.status);
    const message = `the answer of ${op.method} ${op.path} (${op.id}) does not match @coffer/protocol: ${problem}`;
    logError('answer check', new Error(message));
    c.res = undefined;
    c.res = new Response(JSON.stringify({ error: { code: 'answer_mismatch', message } }), {
      status: 500,
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
  };
}

/** Why the answer does not fit the operation, or undefined when it does. */
export async function answerProblem(op: Operation, c: Context): Promise<string | undefined> {
  const res = c.res;
  const status = res.status;
  // A server error is its own loud failure; leave it as it is.
  if (status === 500) return undefined;
  const declared = op.answers[status];
  const isJson = /^application\/json\b/i.test(res.headers.get('content-type') ?? '');
  // HEAD is dispatched to the GET route: the answer is the GET one's, without its body.
  const head = c.req.method === 'HEAD';
  if (declared) {
    if (!('json' in declared) || !declared.json) {
      if (isJson) return `status ${status} is declared without a JSON body, but one came`;
      return undefined;
    }
    if (!isJson) return `status ${status} must answer JSON, got ${res.headers.get('content-type') ?? 'no content type'}`;
    return head ? undefined : await jsonProblem(declared.json, res, `status ${status}`);
  }
  if (!(op.errorStatuses as readonly number[]).includes(status)) {
    return `status ${status} is not one it declares (${[...Object.keys(op.answers), ...op.errorStatuses].join(', ')})`;
  }
  if (!isJson) return `error status ${status} must answer the JSON error envelope`;
  return head ? undefined : await jsonProblem(ErrorBody, res, `error ${status}`);
}

async function jsonProblem(schema: z.ZodType, res: Response, what: string): Promise<string | undefined> {
  let value: unknown;
  try {
    const raw = Buffer.from(await res.clone().arrayBuffer());
    // A compressed answer (json-answer.ts) is checked as the client reads it.
    value = JSON.parse((res.headers.get('content-encoding') === 'zstd' ? zstdDecompressSync(raw) : raw).toString('utf8'));
  } catch {
    return `${what}: the body is not JSON`;
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message.slice(0, 200)}`).join('; ');
    return `${what}: ${issues}; body ${JSON.stringify(value).slice(0, 500)}`;
  }
  const extra = extraKeys(value, r.data);
  if (extra.length) return `${what}: fields the schema does not name: ${extra.slice(0, 10).join(', ')}`;
  return undefined;
}

/** Paths of keys in `sent` that parsing dropped (zod objects strip what they do not name). */
export function extraKeys(sent: unknown, parsed: unknown, at = ''): string[] {
  if (Array.isArray(sent) && Array.isArray(parsed)) return sent.flatMap((v, i) => extraKeys(v, parsed[i], `${at}[${i}]`));
  if (!isObject(sent) || !isObject(parsed)) return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(sent)) {
    const path = at ? `${at}.${k}` : k;
    if (!(k in parsed)) out.push(path);
    else out.push(...extraKeys(v, parsed[k], path));
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
