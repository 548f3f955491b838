import { AsyncLocalStorage } from 'node:async_hooks';
import * as http from 'node:http';
import * as https from 'node:https';

/**
 * What one driver call (possibly several HTTP requests) shares with the requests it makes:
 * an abort signal (the call's overall deadline) and the last HTTP status seen, which the
 * `minio` client's errors do not carry.
 */
export interface CallContext {
  signal: AbortSignal;
  lastStatus?: number;
}

const context = new AsyncLocalStorage<CallContext>();

/** Runs `fn` so that every request it makes through a DeadlineTransport obeys `ctx`. */
export function runInCall<T>(ctx: CallContext, fn: () => Promise<T>): Promise<T> {
  return context.run(ctx, fn);
}

/** A request that sent or received nothing for the idle timeout. */
export class SocketIdleError extends Error {
  readonly code = 'ESOCKETIDLE';
  constructor(ms: number) {
    super(`no response activity for ${ms} ms`);
  }
}

/**
 * The `transport` handed to the `minio` client. minio waits forever on a hung server (a
 * SIGSTOPped process still accepts TCP connections), and an Agent timeout does not help; so
 * every request gets an idle timeout that destroys it, and the current call's abort signal.
 */
export class DeadlineTransport {
  private readonly mod: typeof http | typeof https;

  constructor(
    useSSL: boolean,
    readonly agent: http.Agent,
    private readonly idleTimeoutMs: number,
  ) {
    this.mod = useSSL ? https : http;
  }

  request(options: http.RequestOptions, callback?: (res: http.IncomingMessage) => void): http.ClientRequest {
    const ctx = context.getStore();
    const req = this.mod.request({ ...options, agent: this.agent, signal: ctx?.signal }, (res) => {
      if (ctx) ctx.lastStatus = res.statusCode;
      callback?.(res);
    });
    req.setTimeout(this.idleTimeoutMs, () => req.destroy(new SocketIdleError(this.idleTimeoutMs)));
    return req;
  }
}

/** A keep-alive agent whose idle sockets close before common servers' 5 s keep-alive limit. */
export function keepAliveAgent(useSSL: boolean, maxSockets: number): http.Agent {
  const opts = { keepAlive: true, maxSockets, timeout: 4_000 };
  return useSSL ? new https.Agent(opts) : new http.Agent(opts);
}
