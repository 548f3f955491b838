/**
 * The stand-in for Caddy in `npm run test:stack`, balancing as the Caddyfile configures it:
 * HTTPS in front (a self-signed certificate here, Caddy's CA or Let's Encrypt there), plain HTTP
 * to the instances, `lb_policy round_robin`, an upstream that refuses a connection marked down
 * for `fail_duration` and the request tried on the next one (`lb_try_duration`: only requests
 * that never reached an instance, so nothing is sent twice), active health checks of /readyz,
 * websocket upgrades passed through, X-Forwarded-For/-Proto/-Host set and Host kept (Caddy's
 * defaults). Not a general proxy: just enough to hold the stack to what Caddy does.
 */
import { request as httpRequest, Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import forge from 'node-forge';

export interface Upstream {
  name: string;
  host: string;
  port: number;
}

export interface BalancerOptions {
  upstreams: Upstream[];
  /** How long an upstream that failed stays out of rotation (Caddy: fail_duration). */
  failMs?: number;
  /** Active health check period (Caddy: health_interval); 0 disables it. */
  healthMs?: number;
  /** Port to listen on (default: any free one). */
  port?: number;
}

export interface Balancer {
  url: string;
  port: number;
  /** PEM of the self-signed certificate (clients trust exactly it). */
  ca: string;
  /** Requests each upstream received (by name). */
  counts: Record<string, number>;
  /** Requests each upstream is serving now (by name; websockets not counted). */
  active: Record<string, number>;
  /** Resolves once every upstream passes a health check (the stack waits for it before its checks). */
  ready(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function selfSigned(): { cert: string; key: string } {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const attrs = [{ name: 'commonName', value: '127.0.0.1' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(keys.privateKey) };
}

export async function startBalancer(opts: BalancerOptions): Promise<Balancer> {
  const failMs = opts.failMs ?? 30_000;
  const downUntil = new Map<string, number>();
  const counts: Record<string, number> = Object.fromEntries(opts.upstreams.map((u) => [u.name, 0]));
  const active: Record<string, number> = Object.fromEntries(opts.upstreams.map((u) => [u.name, 0]));
  // A fresh connection per request: "did it reach the instance" is then "did the socket connect".
  const agent = new Agent({ keepAlive: false });
  let next = 0;

  const healthy = (u: Upstream) => (downUntil.get(u.name) ?? 0) <= Date.now();
  /** Round robin over the upstreams in rotation, skipping `tried`; undefined when none is left. */
  function pick(tried: Set<string>): Upstream | undefined {
    const n = opts.upstreams.length;
    for (let i = 0; i < n; i++) {
      const u = opts.upstreams[(next + i) % n]!;
      if (healthy(u) && !tried.has(u.name)) {
        next = (next + i + 1) % n;
        return u;
      }
    }
    return undefined;
  }

  function forwardedHeaders(req: IncomingMessage): Record<string, string | string[] | undefined> {
    const client = req.socket.remoteAddress ?? '';
    return {
      ...req.headers,
      // Caddy replaces what a client claims unless it trusts that client (it trusts none here).
      'x-forwarded-for': client,
      'x-forwarded-proto': 'https',
      'x-forwarded-host': req.headers.host,
    };
  }

  function proxy(req: IncomingMessage, res: ServerResponse, tried = new Set<string>()): void {
    const up = pick(tried);
    if (!up) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end('no upstream available\n');
      req.resume();
      return;
    }
    tried.add(up.name);
    const upReq = httpRequest({ host: up.host, port: up.port, method: req.method, path: req.url, headers: forwardedHeaders(req), agent });
    let connected = false;
    upReq.on('socket', (s: Socket) => {
      s.once('connect', () => {
        connected = true;
        counts[up.name] = (counts[up.name] ?? 0) + 1;
        active[up.name] = (active[up.name] ?? 0) + 1;
        s.once('close', () => (active[up.name] = (active[up.name] ?? 1) - 1));
        req.pipe(upReq);
      });
    });
    upReq.on('response', (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, upRes.headers);
      upRes.pipe(res);
      upRes.on('error', () => res.destroy());
    });
    upReq.on('error', () => {
      if (!connected) {
        // Never reached it: out of rotation for a while, and the next one gets the request.
        downUntil.set(up.name, Date.now() + failMs);
        proxy(req, res, tried);
        return;
      }
      // Reached it, then lost it: the request may have had effects; the client decides (Caddy: 502).
      downUntil.set(up.name, Date.now() + failMs);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end('upstream failed\n');
      else res.destroy();
    });
    req.on('aborted', () => upReq.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upReq.destroy();
    });
  }

  function upgrade(req: IncomingMessage, client: Duplex, head: Buffer, tried = new Set<string>()): void {
    const up = pick(tried);
    if (!up) {
      client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    tried.add(up.name);
    const upSock = connect(up.port, up.host);
    upSock.once('connect', () => {
      counts[up.name] = (counts[up.name] ?? 0) + 1;
      const headers = forwardedHeaders(req);
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (const [k, v] of Object.entries(headers)) {
        if (v === undefined) continue;
        for (const one of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${one}`);
      }
      upSock.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) upSock.write(head);
      upSock.pipe(client).pipe(upSock);
    });
    upSock.once('error', () => {
      if (upSock.connecting || !upSock.bytesWritten) {
        downUntil.set(up.name, Date.now() + failMs);
        upgrade(req, client, head, tried);
      } else client.destroy();
    });
    client.on('error', () => upSock.destroy());
    upSock.on('close', () => client.destroy());
    client.on('close', () => upSock.destroy());
  }

  const { cert, key } = selfSigned();
  const server: Server = createServer({ cert, key }, (req, res) => proxy(req, res));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => upgrade(req, socket, head));
  // Long polls, websockets and big transfers are not cut (the Caddyfile sets no timeouts either).
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;

  /** One active health check of `u` (/readyz answering 200 puts it back in rotation). */
  const probe = (u: Upstream): Promise<void> =>
    new Promise((resolve) => {
      const down = () => {
        downUntil.set(u.name, Date.now() + (opts.healthMs ?? failMs));
        resolve();
      };
      const r = httpRequest({ host: u.host, port: u.port, path: '/readyz', timeout: 3000, agent }, (res) => {
        res.resume();
        if (res.statusCode === 200) {
          downUntil.delete(u.name);
          resolve();
        } else down();
      });
      r.on('timeout', () => r.destroy(new Error('timeout')));
      r.on('error', down);
      r.end();
    });
  const health = opts.healthMs ? setInterval(() => opts.upstreams.forEach((u) => void probe(u)), opts.healthMs) : undefined;

  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    ca: cert,
    counts,
    active,
    async ready(timeoutMs = 60_000) {
      // Checked now rather than at the next tick: instances that were booting when a tick ran
      // stay out of rotation until the following one.
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await Promise.all(opts.upstreams.map(probe));
        if (opts.upstreams.every(healthy)) return;
        if (Date.now() > deadline) throw new Error(`the balancer sees no healthy ${opts.upstreams.filter((u) => !healthy(u)).map((u) => u.name).join(', ')}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async close() {
      if (health) clearInterval(health);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
