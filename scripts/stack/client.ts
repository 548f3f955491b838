/** HTTP(S) requests for the stack's checks: the proxy's self-signed certificate trusted, nothing else. */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  json<T = Record<string, unknown>>(): T;
}

export interface CallOptions {
  headers?: Record<string, string>;
  body?: Buffer | string | Readable;
  json?: unknown;
}

export class StackClient {
  private readonly https: HttpsAgent;
  private readonly http = new HttpAgent({ keepAlive: false });
  constructor(readonly ca: string) {
    this.https = new HttpsAgent({ keepAlive: false, ca });
  }

  call(method: string, url: string, opts: CallOptions = {}): Promise<Reply> {
    const u = new URL(url);
    const headers: Record<string, string> = { ...opts.headers };
    let body = opts.body;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }
    return new Promise((resolve, reject) => {
      const tls = u.protocol === 'https:';
      const req = (tls ? httpsRequest : httpRequest)(u, { method, headers, agent: tls ? this.https : this.http }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, json: <T>() => JSON.parse(buf.toString('utf8')) as T });
        });
      });
      req.on('error', reject);
      if (body instanceof Readable) {
        body.on('error', (e) => req.destroy(e));
        body.pipe(req);
      } else req.end(body);
    });
  }

  close(): void {
    this.https.destroy();
    this.http.destroy();
  }
}
