/**
 * Routes are mounted from the operations of @coffer/protocol, and only so: `mount(op, handler)`
 * registers the operation's method and path, applies the access its `auth` names (admin only;
 * no app passwords where `signInOnly`), parses path parameters, query and JSON body with the
 * operation's schemas (400 `invalid_request` naming the field; a bad id in the path is the 404
 * of a missing one), and hands the handler typed input. The handler answers one of the
 * operation's answers, `{ status, body }`, or a Response of its own (downloads, blocks).
 * With `validateAnswers` (tests) every answer is checked against the operation (answer-check.ts).
 */
import type { Context, MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import type { ContentfulStatusCode, StatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { routePath, type OperationSpec, type Operation } from '@coffer/protocol';
import type { AppEnv, AuthUser } from '../auth/context.js';
import { requireAdmin, requireSignIn } from '../auth/middleware.js';
import { declaredLength } from '../content-length.js';
import { HttpError, parse, parseJsonBody, parseOptionalJsonBody } from '../http-errors.js';
import { discardBody } from '../uploads/body.js';
import { answerCheck } from './answer-check.js';
import { jsonAnswer } from './json-answer.js';

type Parsed<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;
type BodyOf<B> = B extends { json: infer S extends z.ZodType }
  ? B extends { raw: string } | { optional: true }
    ? z.output<S> | undefined
    : z.output<S>
  : undefined;

/** What a handler is given: the operation's inputs, parsed, and the caller. */
export interface Input<O extends OperationSpec> {
  params: Parsed<O['params']>;
  query: Parsed<O['query']>;
  body: BodyOf<O['body']>;
  /** The caller (public operations: whoever it may be, usually nobody). */
  user: O['auth'] extends 'public' ? AuthUser | undefined : AuthUser;
}

type Headers = Record<string, string>;
type AnswerBody<A> = A extends { json: infer S extends z.ZodType } ? { body: z.input<S> } : { body?: undefined };

/** One of the operation's answers: its status, its JSON body when it has one, extra headers. */
export type Reply<O extends OperationSpec> = {
  [S in keyof O['answers'] & number]: { status: S; headers?: Headers } & AnswerBody<O['answers'][S]>;
}[keyof O['answers'] & number];

export type Handler<O extends OperationSpec> = (input: Input<O>, c: Context<AppEnv>) => Promise<Reply<O> | Response>;

/** The operation a route handler was mounted for (tests check every route has one). */
const MOUNTED = Symbol('coffer.operation');

export function mountedOperation(handler: unknown): string | undefined {
  return (handler as { [MOUNTED]?: string } | undefined)?.[MOUNTED];
}

/** A router whose every route is an operation. */
export class OperationRouter {
  readonly router = new Hono<AppEnv>();

  constructor(private readonly options: { validateAnswers: boolean }) {}

  mount<O extends Operation>(op: O, handler: NoInfer<Handler<O>>): void {
    const guards: MiddlewareHandler<AppEnv>[] = [];
    // Outermost, so it sees every answer: the handler's, and the errors of the guards and parsing.
    if (this.options.validateAnswers) guards.push(answerCheck(op));
    if (op.auth === 'admin') guards.push(requireAdmin);
    else if (op.signInOnly) guards.push(requireSignIn);
    const run: MiddlewareHandler<AppEnv> = async (c) => {
      try {
        const input = await inputOf(op, c);
        return await toResponse(c, (await handler(input as Input<O>, c)) as Reply<OperationSpec> | Response);
      } catch (err) {
        // A raw body refused before it was read: drain a small one so the client sees the answer, not a reset.
        if (op.body?.raw) await discardBody(c.req.raw.body, declaredLength(c.req.header('content-length')));
        throw err;
      }
    };
    Object.defineProperty(run, MOUNTED, { value: op.id });
    // A list of paths: the overload that takes any number of handlers.
    this.router.on(op.method, [routePath(op)], ...guards, run);
  }
}

async function inputOf(op: Operation, c: Context<AppEnv>): Promise<Input<OperationSpec>> {
  let params: unknown = {};
  if (op.params) {
    const r = op.params.safeParse(c.req.param());
    const bad = op.badParams ?? { status: 404, code: 'not_found', message: 'Not found' };
    if (!r.success) throw new HttpError(bad.status, bad.code, bad.message);
    params = r.data;
  }
  const query = op.query ? parse(op.query, c.req.query()) : {};
  let body: unknown;
  const b = op.body;
  if (b?.json) {
    const wanted = 'jsonWhen' in b ? (b.jsonWhen as (q: unknown) => boolean)(query) : true;
    if (wanted && 'optional' in b && b.optional) body = await parseOptionalJsonBody(c, b.json);
    else if (wanted) body = await parseJsonBody(c, b.json, { maxBytes: b.maxBytes });
  }
  return { params, query, body, user: c.get('user') } as Input<OperationSpec>;
}

async function toResponse(c: Context<AppEnv>, out: Reply<OperationSpec> | Response): Promise<Response> {
  if (out instanceof Response) return out;
  if (out.body !== undefined) return jsonAnswer(c, out.body, out.status as ContentfulStatusCode, out.headers);
  return c.body(null, out.status as StatusCode, out.headers);
}

/** The router a route module fills, answering as the settings say (validated in tests). */
export function operationRouter(deps: { config: { validateAnswers: boolean } }): OperationRouter {
  return new OperationRouter({ validateAnswers: deps.config.validateAnswers });
}
