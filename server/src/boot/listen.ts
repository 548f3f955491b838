/**
 * The HTTP(S) listener of the app, and its graceful close: stop accepting, let the requests under
 * way finish (their connections are not kept alive afterwards), cut off what is still running
 * after a grace period.
 */
import { randomBytes } from 'node:crypto';
import type { Server as HttpServer, ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';
import type { TlsMaterial } from '../tls.js';
import { closeAfterAnswer, quietKeepAlive } from './quiet-keep-alive.js';

export interface Listener {
  server: HttpServer | HttpsServer;
  port: number;
  /** Stop accepting connections; the requests under way finish, and their connections then close. */
  stopAccepting(): void;
  /** After stopAccepting: resolves once every connection is gone, cutting off those still busy after `graceMs`. */
  drained(graceMs: number): Promise<void>;
}

/**
 * TLS 1.3 session tickets, stateless (Node's default): the `coffer` agent resumes with them
 * (api/pinned-agent.ts), and a resumed connection gets neither the certificate nor its signature
 * (~580 bytes with P-256) nor new tickets — 525 bytes less on each connection after the first,
 * counted by bench:wire (issue 21). A full handshake pays ~240 bytes more for the two tickets
 * than for the stateful ones SSL_OP_NO_TICKET made, which Node's server could never resume
 * (its `resumeSession` looks sessions up by the legacy session id TLS 1.3 clients fill at random).
 * Resumption keeps forward secrecy: OpenSSL resumes TLS 1.3 with a fresh (EC)DHE exchange
 * (psk_dhe_ke), and the ticket key is replaced every TICKET_KEY_MS (a ticket older than that
 * costs one full handshake).
 */
const TICKET_KEY_MS = 12 * 3600 * 1000;

export async function listen(app: Hono, at: { host: string; port: number }, tls?: TlsMaterial): Promise<Listener> {
  const server = createAdaptorServer({
    fetch: app.fetch,
    ...(tls ? { createServer: createHttpsServer, serverOptions: { cert: tls.cert, key: tls.key, ticketKeys: randomBytes(48) } } : {}),
  }) as HttpServer | HttpsServer;

  const underWay = new Set<ServerResponse>();
  let closing = false;
  // Before the app's own listener, which may answer at once.
  server.prependListener('request', (req, res: ServerResponse) => {
    if (!closing) quietKeepAlive(server, req, res);
  });
  server.on('request', (_req, res: ServerResponse) => {
    underWay.add(res);
    if (closing) closeAfterAnswer(res);
    res.once('close', () => underWay.delete(res));
    // Node closes connections idle at close() only; one that becomes idle later would linger
    // until its keep-alive timeout (an answer already under way keeps its keep-alive header).
    res.once('finish', () => closing && setImmediate(() => server.closeIdleConnections()));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const rotation = tls ? setInterval(() => (server as HttpsServer).setTicketKeys(randomBytes(48)), TICKET_KEY_MS).unref() : undefined;
  server.once('close', () => clearInterval(rotation));

  let closed: Promise<void> | undefined;
  return {
    server,
    port: (server.address() as AddressInfo).port,
    stopAccepting() {
      if (closing) return;
      closing = true;
      for (const res of underWay) if (!res.headersSent) closeAfterAnswer(res);
      closed = new Promise<void>((r) => server.close(() => r()));
    },
    async drained(graceMs) {
      if (!closed) throw new Error('drained() before stopAccepting()');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), graceMs)));
      if ((await Promise.race([closed, late])) === 'late') server.closeAllConnections();
      clearTimeout(timer);
      await closed;
    },
  };
}
