/**
 * The HTTP(S) listener of the app, and its graceful close: stop accepting, let the requests under
 * way finish (their connections are not kept alive afterwards), cut off what is still running
 * after a grace period.
 */
import { constants } from 'node:crypto';
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
 * No stateless TLS 1.3 session tickets: a server sends two (~400 bytes) on every connection.
 * Resuming saves no round trip in TLS 1.3, only the certificate and its signature (~580 bytes with
 * P-256), which the tickets a resumed connection gets again nearly cost: a full handshake each time
 * is about even for a browser and the `coffer` agent (which resumes where a server lets it,
 * pinned-agent.ts), and 400 bytes less for everything else. With this option OpenSSL sends small
 * stateful tickets (~80 bytes each) instead, but Node cannot resume them: its `resumeSession`
 * looks a session up by the ClientHello's legacy session id, which TLS 1.3 clients fill at random
 * (tried with a store behind newSession/resumeSession: both fired, no connection resumed).
 */
const NO_TICKETS = constants.SSL_OP_NO_TICKET;

export async function listen(app: Hono, at: { host: string; port: number }, tls?: TlsMaterial): Promise<Listener> {
  const server = createAdaptorServer({
    fetch: app.fetch,
    ...(tls ? { createServer: createHttpsServer, serverOptions: { cert: tls.cert, key: tls.key, secureOptions: NO_TICKETS } } : {}),
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
