/**
 * The first middleware of the app: gives the request its id (a sane incoming X-Request-Id, else
 * a new one; echoed in the answer), runs the rest inside that request's context (every log line
 * carries `reqId`), and when the answer has been sent — its last byte, or the connection closed —
 * writes one access line and feeds the metrics: method, route pattern (never the raw path: it may
 * hold file names and link tokens), status, bytes in and out, duration, user id when signed in.
 * Failed sign-ins get a warn line of their own (auth-failures.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { Context, MiddlewareHandler } from 'hono';
import { clientAddress } from '../auth/client-ip.js';
import type { AuthUser } from '../auth/context.js';
import { authFailureMessage, failedAuthentication } from './auth-failures.js';
import { componentLogger } from './log.js';
import type { Metrics } from './metrics.js';
import { requestContext, requestIdFrom } from './request-context.js';
import { transferOf } from './transfers.js';

const log = componentLogger('http');
export const REQUEST_ID_HEADER = 'X-Request-Id';

interface NodeBindings {
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
}

export interface AccessLogOptions {
  trustProxy: boolean;
  /** Sees each request's body bytes in and answer bytes out as they crossed the socket (the usage series' traffic). */
  onBytes?: (bytesIn: number, bytesOut: number) => void;
}

export function accessLog(metrics: Metrics, opts: AccessLogOptions): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    const reqId = requestIdFrom(c.req.header(REQUEST_ID_HEADER));
    const { incoming, outgoing } = (c.env ?? {}) as NodeBindings;
    const socket = incoming?.socket;
    // Body bytes as they cross the socket (one request at a time on an HTTP/1.1 connection);
    // the headers were read before this request began.
    const readAtStart = socket?.bytesRead ?? 0;
    const writtenAtStart = socket?.bytesWritten ?? 0;
    await requestContext.run({ reqId }, async () => {
      try {
        await next();
      } finally {
        setAnswerHeader(c, REQUEST_ID_HEADER, reqId);
      }
    });
    const finish = () => {
      const declaredIn = Number(c.req.header('content-length') ?? 0) || 0;
      const bytesIn = Math.max(declaredIn, socket ? socket.bytesRead - readAtStart : 0);
      const bytesOut = socket ? socket.bytesWritten - writtenAtStart : Number(c.res.headers.get('content-length') ?? 0) || 0;
      opts.onBytes?.(bytesIn, bytesOut);
      requestContext.run({ reqId }, () => record(c, metrics, opts, { started, bytesIn, bytesOut, aborted: !!outgoing && !outgoing.writableFinished }));
    };
    // Streamed answers (downloads, zips, long polls) end after this middleware returns.
    if (outgoing && !outgoing.writableEnded) outgoing.once('close', finish);
    else finish();
  };
}

/**
 * A header on the answer already made. `c.header()` at this point makes Hono rebuild the answer
 * as a web Response around the same body, and @hono/node-server then copies a byte body into a
 * web stream and pulls it chunk by chunk instead of writing it at once (issue 20: in a restore,
 * every JSON answer and every ~1 MiB block paid that). A byte answer (its fast path) gets the
 * header on its own headers instead; a streamed one is rebuilt as before (downloads/send.ts
 * compares the answer's body with its stream, which the rebuild keeps).
 */
function setAnswerHeader(c: Context, name: string, value: string): void {
  if (isByteAnswer(c.res)) c.res.headers.set(name, value);
  else c.header(name, value);
}

/** An answer made by c.body()/c.json() with bytes, a string or nothing: @hono/node-server keeps it as [status, body, headers] under its `cache` symbol. */
function isByteAnswer(res: Response): boolean {
  const key = Object.getOwnPropertySymbols(res).find((s) => s.description === 'cache');
  const cached = key === undefined ? undefined : (res as unknown as Record<symbol, unknown>)[key];
  if (!Array.isArray(cached)) return false;
  const body: unknown = cached[1];
  return body === null || typeof body === 'string' || body instanceof Uint8Array;
}

function record(c: Context, metrics: Metrics, opts: { trustProxy: boolean }, m: { started: number; bytesIn: number; bytesOut: number; aborted: boolean }): void {
  const route = c.req.routePath || '/*';
  const method = c.req.method;
  const status = c.res.status;
  const seconds = (performance.now() - m.started) / 1000;
  metrics.request({ method, route, status, seconds, bytesIn: m.bytesIn, bytesOut: m.bytesOut });
  const transfer = m.aborted ? undefined : transferOf(method, route, status);
  if (transfer) metrics.transfer(transfer.direction, transfer.via, transfer.direction === 'upload' ? m.bytesIn : m.bytesOut);
  const user = (c.get as (key: string) => AuthUser | undefined)('user');
  const addr = clientAddress(c, opts.trustProxy);
  const client = isIP(addr) ? addr : 'unknown';
  log.info(
    { method, route, status, bytesIn: m.bytesIn, bytesOut: m.bytesOut, ms: Math.round(seconds * 10_000) / 10, client, ...(user ? { userId: user.id } : {}), ...(m.aborted ? { aborted: true } : {}) },
    'request',
  );
  const failed = failedAuthentication(c, route, status);
  if (failed) {
    metrics.authFailure(failed);
    log.warn({ client, auth: failed, route, status }, authFailureMessage(client, failed, route));
  }
}
