/**
 * The websocket channel /api/v1/events on the HTTP(S) server: authentication at the handshake
 * (a refusal is a plain HTTP answer with our JSON error body), one EventSocket per connection,
 * and heartbeats: a protocol ping every `heartbeatMs`; a peer that answered none of the last two
 * is dropped (a dead peer behind NAT or a sleeping laptop would otherwise hold memory forever).
 *
 * The upgrade listener runs outside Hono's error mapping, on whatever bytes a client sent: every
 * step answers or closes the socket itself, and nothing it does may throw out of the listener
 * (an exception there would end the process).
 */
import { STATUS_CODES, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { AuthUser } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { componentLogger, logError as logErrorTo } from '../observability/log.js';
import { errorResponse } from '../http-errors.js';
import { authenticateUpgrade, EVENTS_SUBPROTOCOL } from './event-auth.js';
import { EventSocket } from './event-socket.js';

const log = componentLogger('websocket');
const logError = (context: string, err: unknown) => logErrorTo(context, err, log);

export const EVENTS_PATH = '/api/v1/events';
/** Consecutive unanswered heartbeats before a peer is dropped: one lost tick is not a dead peer. */
const MISSED_PINGS_TO_DROP = 2;

export interface EventsOptions {
  heartbeatMs?: number;
  /** At shutdown, how long a peer has to answer the close handshake before it is cut off. */
  closeGraceMs?: number;
}

export interface Events {
  /** Open websockets. */
  readonly size: number;
  /** Stop accepting sockets and close every one (1001 going away); resolves when all are closed
   *  and their devices' cursors saved. */
  close(): Promise<void>;
}

export function attachEvents(server: HttpServer | HttpsServer, deps: AppDeps, opts: EventsOptions = {}): Events {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 16 * 1024, // client messages are tiny
    perMessageDeflate: false, // ~300 KB of zlib state per socket would cap how many one process holds
    // Select "coffer" when offered; the token travels in a second protocol and is never echoed.
    handleProtocols: (protocols) => (protocols.has(EVENTS_SUBPROTOCOL) ? EVENTS_SUBPROTOCOL : false),
  });
  const sockets = new Set<EventSocket>();

  const accept = (req: IncomingMessage, socket: Duplex, head: Buffer, user: AuthUser) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      try {
        const s = new EventSocket(ws, user, deps.db, deps.hub);
        sockets.add(s);
        ws.once('close', () => sockets.delete(s));
      } catch (err) {
        logError('events: opening a websocket failed', err);
        ws.terminate();
      }
    });
  };

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = requestUrl(req);
    if (!url) return refuse(socket, 400, { error: { code: 'bad_request', message: 'the request target is not a valid URL' } }, {});
    if (url.pathname !== EVENTS_PATH) {
      return refuse(socket, 404, { error: { code: 'not_found', message: `no websocket at ${url.pathname.slice(0, 200)}` } }, {});
    }
    authenticateUpgrade(deps, req, url)
      .then(
        (user) => accept(req, socket, head, user),
        (err: unknown) => {
          const a = errorResponse(err);
          refuse(socket, a.status, a.body, a.headers);
        },
      )
      .catch((err: unknown) => {
        logError('events: upgrade failed', err);
        socket.destroy();
      });
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // Node removed its own error listener from an upgraded socket: without one, a reset kills the process.
    socket.on('error', () => socket.destroy());
    try {
      upgrade(req, socket, head);
    } catch (err) {
      logError('events: upgrade failed', err);
      socket.destroy();
    }
  };
  server.on('upgrade', onUpgrade);

  const heartbeatMs = opts.heartbeatMs ?? 30_000;
  let lastBeat = Date.now();
  const heartbeat = setInterval(() => {
    // A tick that comes late means this process's event loop was stalled (a long GC, a busy
    // embedded database): pongs may sit unread behind this timer, so nobody is judged on it.
    const now = Date.now();
    const stalled = now - lastBeat > heartbeatMs * 1.5;
    lastBeat = now;
    for (const s of sockets) {
      try {
        if (!stalled && s.missedPings >= MISSED_PINGS_TO_DROP) {
          s.ws.terminate();
          continue;
        }
        if (!stalled) s.missedPings++;
        s.ws.ping();
      } catch (err) {
        logError('events: heartbeat failed', err);
        s.ws.terminate();
      }
    }
  }, heartbeatMs);
  heartbeat.unref();

  return {
    get size() {
      return sockets.size;
    },
    async close() {
      clearInterval(heartbeat);
      server.off('upgrade', onUpgrade);
      const open = [...sockets];
      for (const s of open) s.ws.close(1001, 'server shutting down');
      const closed = Promise.all(open.map((s) => s.finished));
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((r) => (timer = setTimeout(r, opts.closeGraceMs ?? 2_000)));
      await Promise.race([closed, grace]);
      clearTimeout(timer);
      for (const s of open) s.ws.terminate(); // no-op for those already closed
      await closed;
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}

/** The request target as a URL; undefined when it is not one (`//`, `http://[`, …). */
function requestUrl(req: IncomingMessage): URL | undefined {
  try {
    return new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

function refuse(socket: Duplex, status: number, body: unknown, headers: Record<string, string>): void {
  if (socket.destroyed) return;
  const text = JSON.stringify(body);
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(text)}`,
    'Connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${text}`);
}
