/**
 * An older server, for tests of the client's fallbacks: a real HTTP hop in front of the test
 * server. Each request's body is read whole and shown to `refuse`, which answers it as the older
 * server would (its status and error) or lets it through to the test server unchanged.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import { CofferApi } from '../src/api/client.js';

export interface Refusal {
  status: number;
  code: string;
  message: string;
}

/** What `refuse` sees of a request. */
export interface HopRequest {
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface OlderServer {
  /** A client of the hop (plain HTTP). */
  api: CofferApi;
  close(): Promise<void>;
}

export async function olderServer(serverUrl: string, token: string | undefined, refuse: (req: HopRequest) => Refusal | undefined): Promise<OlderServer> {
  const target = new URL(serverUrl);
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const body = Buffer.concat(parts);
      const no = refuse({ url: req.url ?? '', headers: req.headers, body });
      if (no) {
        res.writeHead(no.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: no.code, message: no.message } }));
        return;
      }
      const fwd = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      fwd.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const api = new CofferApi(`http://127.0.0.1:${(server.address() as { port: number }).port}`, { insecureHttp: true }, token);
  return {
    api,
    async close() {
      api.http.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
