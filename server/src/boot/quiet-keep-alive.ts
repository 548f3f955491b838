/**
 * HTTP/1.1 answers without `Connection: keep-alive` (24 bytes an answer; issue 21 counts bytes on
 * the wire): a 1.1 connection persists unless a side says `close`, so the header tells a 1.1
 * client nothing. Node writes it with every kept-alive answer; removing it also drops Node's
 * `Keep-Alive: timeout=N`, which is put back — Node's own client agent reads it to stop reusing a
 * connection before the server's idle timeout closes it. An answer after which the connection is
 * not kept (the client said close, HTTP/1.0, the server shutting down) still says `close`.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** Called first for each request, before anything can have written its answer's head. */
export function quietKeepAlive(server: Pick<Server, 'keepAliveTimeout' | 'maxRequestsPerSocket'>, req: IncomingMessage, res: ServerResponse): void {
  const http11 = req.httpVersionMajor === 1 && req.httpVersionMinor >= 1;
  // A per-socket request limit makes Node say `close` on the last one: left to Node then.
  if (!http11 || !res.shouldKeepAlive || res.headersSent || (server.maxRequestsPerSocket ?? 0) > 0) return;
  res.removeHeader('connection');
  if (server.keepAliveTimeout > 0) res.setHeader('Keep-Alive', `timeout=${Math.floor(server.keepAliveTimeout / 1000)}`);
}

/** The connection closes after this answer (whose head is not sent yet): the answer says so. */
export function closeAfterAnswer(res: ServerResponse): void {
  res.shouldKeepAlive = false;
  if (res.headersSent) return;
  res.removeHeader('keep-alive');
  res.setHeader('Connection', 'close');
}
