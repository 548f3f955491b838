/**
 * The one place requests go out: base URL, bearer token, TLS trust, JSON or streamed bodies,
 * error answers turned into ApiError, and byte counters (what went over the wire, for --stats
 * and for tests that prove a delta sent only what changed).
 */
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';
import type { Socket } from 'node:net';
import { once } from 'node:events';
import WebSocket from 'ws';
import { agentFor, TrustingAgent, type Trust } from './pinned-agent.js';
import { apiErrorFrom } from './errors.js';
import { compressedJson, decodedAnswer } from './json-encoding.js';
import { STAGED_FROM, writeStaged } from './staged-body.js';

/** An array: pieces written in order (their total is the Content-Length); from 1 MiB through reused stages (staged-body.ts). */
export type Body = Uint8Array | readonly Uint8Array[] | string | AsyncIterable<Uint8Array>;

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  body?: Body;
  headers?: OutgoingHttpHeaders;
  /** Statuses that are not errors besides 2xx (e.g. 304, 308). */
  accept?: number[];
  /** Give up when the connection is idle this long (default 120 s; a long poll passes more). */
  idleTimeoutMs?: number;
}

export interface Traffic {
  /** Bytes written to / read from the sockets (TLS framing included), headers and bodies. */
  wireSent: number;
  wireReceived: number;
}

export class HttpClient {
  readonly base: URL;
  readonly #agent: HttpsAgent | HttpAgent;
  readonly #sockets = new Set<Socket>();
  readonly #trust: Trust;
  /** The server refused a compressed JSON body once: send them plain. */
  #plainJson = false;
  token: string | undefined;

  constructor(url: string, trust: Trust, token?: string) {
    this.base = new URL(url);
    this.#trust = trust;
    if (this.base.protocol === 'http:' && !('insecureHttp' in trust)) throw new Error('plain http:// needs --insecure-http');
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') throw new Error(`not an http(s) URL: ${url}`);
    this.#agent = this.base.protocol === 'https:' ? agentFor(trust)! : new HttpAgent({ keepAlive: true, maxSockets: 8 });
    this.token = token;
  }

  /** Send a request; a non-2xx answer (outside `accept`) throws ApiError. The caller reads the body. */
  async stream(method: string, path: string, o: RequestOptions = {}): Promise<IncomingMessage> {
    const url = new URL(`/api/v1${path}`, this.base);
    for (const [k, v] of Object.entries(o.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    // No default Accept: the API answers JSON whatever it says (~26 bytes a request less); callers wanting something else say so.
    const headers: OutgoingHttpHeaders = { ...o.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body = o.body;
    let packed: Buffer | undefined;
    if (o.json !== undefined) {
      body = JSON.stringify(o.json);
      headers['content-type'] = 'application/json';
      packed = this.#plainJson ? undefined : await compressedJson(body);
      if (packed) headers['content-encoding'] = 'zstd';
    }
    if (typeof body === 'string') body = Buffer.from(body);
    if (packed) body = packed;
    if (body instanceof Uint8Array) headers['content-length'] = body.byteLength;
    else if (Array.isArray(body)) headers['content-length'] = body.reduce((n: number, p: Uint8Array) => n + p.byteLength, 0);
    const res = await this.#send(method, url, headers, body, o.idleTimeoutMs ?? 120_000);
    const status = res.statusCode ?? 0;
    if ((status >= 200 && status < 300) || o.accept?.includes(status)) return res;
    const err = apiErrorFrom(status, (await readAnswer(res)).toString('utf8'));
    // A server from before compressed bodies reads the zstd bytes as JSON (400 invalid_json); one
    // that does not take zstd says 415. Nothing was done: the same request plain, and plain from now on.
    if (packed && (status === 415 || (status === 400 && err.code === 'invalid_json'))) {
      this.#plainJson = true;
      return this.stream(method, path, o);
    }
    throw err;
  }

  /** A request whose JSON answer is read whole (small answers only); 204 gives undefined. */
  async json<T = unknown>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    const res = await this.stream(method, path, o);
    const text = (await readAnswer(res)).toString('utf8');
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * A websocket to `/api/v1${path}` (the `ws` package: a global WebSocket cannot take an agent),
   * under the same trust rules as every request: its own TrustingAgent, no keep-alive (the socket
   * is the connection), so the handshake — and the bearer token in it — goes out only after the
   * certificate was accepted.
   */
  websocket(path: string, protocols: string[]): WebSocket {
    const url = new URL(`/api/v1${path}`, this.base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const agent = url.protocol === 'wss:' && !('insecureHttp' in this.#trust) ? new TrustingAgent(this.#trust) : undefined;
    const ws = new WebSocket(url, protocols, {
      agent,
      headers: this.token ? { authorization: `Bearer ${this.token}` } : {},
      perMessageDeflate: false,
      handshakeTimeout: 15_000,
      maxPayload: 1024 * 1024, // one change entry per message: a few KiB
    });
    if (agent) ws.once('close', () => agent.destroy());
    return ws;
  }

  traffic(): Traffic {
    let wireSent = 0;
    let wireReceived = 0;
    for (const s of this.#sockets) {
      wireSent += s.bytesWritten;
      wireReceived += s.bytesRead;
    }
    return { wireSent, wireReceived };
  }

  close(): void {
    this.#agent.destroy();
  }

  #send(method: string, url: URL, headers: OutgoingHttpHeaders, body: Exclude<Body, string> | undefined, idleMs: number): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method, headers, agent: this.#agent }, resolve);
      // No `Connection: keep-alive` (24 bytes a request): an HTTP/1.1 connection persists unless
      // either side says `close`, and the agent still keeps and reuses it (Node sends nothing once
      // the header is removed, and treats the request as keep-alive as before).
      req.removeHeader('connection');
      req.on('socket', (s) => this.#sockets.add(s));
      req.on('error', reject);
      // An idle socket (also while the answer streams) means a dead server or network: fail, don't hang.
      req.setTimeout(idleMs, () => req.destroy(new Error(`no answer from ${url.host} for ${Math.round(idleMs / 1000)} s`)));
      if (body === undefined || body instanceof Uint8Array) {
        req.end(body);
        return;
      }
      if (Array.isArray(body)) {
        const pieces = body as readonly Uint8Array[];
        // stream() summed the pieces already: their total is the Content-Length.
        if (Number(headers['content-length']) >= STAGED_FROM) {
          writeStaged(req, pieces).catch((err: unknown) => req.destroy(err as Error));
          return;
        }
        // All in memory already, and small: queued as they are (the stream keeps references, not copies).
        for (const piece of pieces) req.write(piece);
        req.end();
        return;
      }
      void (async () => {
        try {
          for await (const piece of body) {
            if (!req.write(piece)) await once(req, 'drain'); // rejects when the request fails meanwhile
          }
          req.end();
        } catch (err) {
          req.destroy(err as Error);
        }
      })();
    });
  }
}

export async function readAll(res: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of res) parts.push(p as Buffer);
  return Buffer.concat(parts);
}

/** A JSON (or error) answer whole, decoded from the Content-Encoding it may come in (json-encoding.ts). */
export async function readAnswer(res: IncomingMessage): Promise<Buffer> {
  return decodedAnswer(res, await readAll(res));
}
