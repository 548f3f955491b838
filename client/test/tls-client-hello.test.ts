/**
 * What the agent offers in its ClientHello (api/pinned-agent.ts clientTls, issue 21): one key
 * share, the post-quantum hybrid X25519MLKEM768, and TLS 1.2 suites with ECDHE and AEAD only — and
 * it still reaches servers that lack the hybrid (a HelloRetryRequest for X25519 or P-256) or speak
 * TLS 1.2 only.
 */
import { X509Certificate } from 'node:crypto';
import { createServer as createHttpsServer, get, type Server } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TrustingAgent } from '../src/api/pinned-agent.js';
import { fetchPinned, selfSigned } from './tls-fixtures.js';

const X25519MLKEM768 = 0x11ec;

/** The cipher suites and key-share groups of the first ClientHello the agent sends. */
async function clientHello(): Promise<{ suites: number[]; shares: number[] }> {
  let resolveHello!: (b: Buffer) => void;
  const hello = new Promise<Buffer>((r) => (resolveHello = r));
  const server = createNetServer((s) => {
    let got = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 5 && got.length >= 5 + got.readUInt16BE(3)) {
        resolveHello(got);
        s.destroy();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const agent = new TrustingAgent({ fingerprint: 'AB:'.repeat(31) + 'AB' });
  get(`https://127.0.0.1:${(server.address() as AddressInfo).port}/`, { agent }).on('error', () => undefined);
  const b = await hello;
  agent.destroy();
  server.close();
  // record (5), handshake header (4), version (2), random (32), session id, suites, compression, extensions
  let p = 5 + 4 + 2 + 32;
  p += 1 + b[p]!;
  const suitesEnd = p + 2 + b.readUInt16BE(p);
  const suites: number[] = [];
  for (let i = p + 2; i < suitesEnd; i += 2) suites.push(b.readUInt16BE(i));
  p = suitesEnd;
  p += 1 + b[p]!;
  const extEnd = p + 2 + b.readUInt16BE(p);
  const shares: number[] = [];
  for (p += 2; p < extEnd; ) {
    const type = b.readUInt16BE(p);
    const len = b.readUInt16BE(p + 2);
    if (type === 51) {
      // key_share: a list of (group, key) entries
      for (let q = p + 6; q < p + 4 + len; q += 4 + b.readUInt16BE(q + 2)) shares.push(b.readUInt16BE(q));
    }
    p += 4 + len;
  }
  return { suites, shares };
}

describe('the agent’s ClientHello', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
  });

  async function serverWith(options: { ecdhCurve: string; maxVersion?: 'TLSv1.2' }): Promise<{ url: string; fingerprint: string }> {
    const kc = selfSigned();
    const server = createHttpsServer({ key: kc.key, cert: kc.cert, ...options }, (_req, res) => res.end('ok'));
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`, fingerprint: new X509Certificate(kc.cert).fingerprint256 };
  }

  it('offers one key share, X25519MLKEM768, and no CBC or plain-DHE suite', async () => {
    const { suites, shares } = await clientHello();
    expect(shares).toEqual([X25519MLKEM768]);
    // TLS 1.3's three, and ECDHE with AES-GCM or ChaCha20-Poly1305 (RSA and ECDSA certificates) for 1.2.
    expect(suites.sort((a, b) => a - b)).toEqual([0x1301, 0x1302, 0x1303, 0xc02b, 0xc02c, 0xc02f, 0xc030, 0xcca8, 0xcca9]);
  });

  it('reaches a server without the hybrid group (asked again for X25519, or P-256), and one that speaks TLS 1.2 only', async () => {
    for (const options of [{ ecdhCurve: 'X25519' }, { ecdhCurve: 'P-256' }, { ecdhCurve: 'P-256', maxVersion: 'TLSv1.2' as const }]) {
      const srv = await serverWith(options);
      expect(await fetchPinned(srv.url, srv.fingerprint)).toBe('ok');
    }
  });
});
