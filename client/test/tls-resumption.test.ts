/**
 * TLS session resumption under the trust rules (api/pinned-agent.ts): a second connection to a
 * server whose certificate was accepted resumes that session (the server sends no certificate
 * again), also from another agent of the same process and trust; a session never outlives a
 * refusal, and a trust never resumes another trust's session. A server that does not resume (as
 * Coffer's own listener) is offered a session once, not on every connection.
 */
import { constants, X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countingProxy } from '@coffer/test-support/count-proxy';
import { CertificateMismatchError } from '../src/api/pinned-agent.js';
import { fetchPinned as fetchWith, selfSigned } from './tls-fixtures.js';

/** A server on 127.0.0.1 with a self-signed certificate, noting each handshake it finished: whether it resumed a session. */
async function serverOf(maxVersion: 'TLSv1.2' | 'TLSv1.3', secureOptions = 0): Promise<{ server: Server; url: string; fingerprint: string; handshakes: boolean[] }> {
  const kc = selfSigned();
  const server = createServer({ key: kc.key, cert: kc.cert, maxVersion, secureOptions }, (_req, res) => res.end('ok'));
  const handshakes: boolean[] = [];
  server.on('secureConnection', (s: TLSSocket) => handshakes.push(s.isSessionReused()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/`, fingerprint: new X509Certificate(kc.cert).fingerprint256, handshakes };
}

const WRONG = 'AB:'.repeat(31) + 'AB';

// TLS 1.3 (tickets after the handshake) and 1.2 (the session known before the certificate is checked), as reverse proxies may still serve.
describe.each(['TLSv1.3', 'TLSv1.2'] as const)('TLS session resumption, %s', (version) => {
  let srv: Awaited<ReturnType<typeof serverOf>>;
  beforeAll(async () => {
    srv = await serverOf(version);
  });
  afterAll(async () => {
    await new Promise<void>((r) => srv.server.close(() => r()));
  });

  it('resumes the session of an accepted certificate on the next connection, from a new agent too', async () => {
    srv.handshakes.length = 0;
    expect(await fetchWith(srv.url, srv.fingerprint)).toBe('ok');
    expect(await fetchWith(srv.url, srv.fingerprint)).toBe('ok');
    expect(await fetchWith(srv.url, srv.fingerprint)).toBe('ok');
    expect(srv.handshakes).toEqual([false, true, true]);
  });

  it('never resumes for another trust, and keeps no session of a refused certificate', async () => {
    expect(await fetchWith(srv.url, srv.fingerprint)).toBe('ok'); // a session for the right pin is kept
    await expect(fetchWith(srv.url, WRONG)).rejects.toBeInstanceOf(CertificateMismatchError);
    // Had the refused connection's session been kept, this one would resume it and pass.
    await expect(fetchWith(srv.url, WRONG)).rejects.toBeInstanceOf(CertificateMismatchError);
  });
});

describe('TLS session offers to a server that never resumes', () => {
  it('offers a session once, then not again: each offer is ClientHello bytes for nothing', async () => {
    // Stateful TLS 1.3 tickets (SSL_OP_NO_TICKET), which Node's server cannot resume (Coffer's own listener sends stateless ones).
    const srv = await serverOf('TLSv1.3', constants.SSL_OP_NO_TICKET);
    const proxy = await countingProxy(Number(new URL(srv.url).port));
    try {
      const via = `https://127.0.0.1:${proxy.port}/`;
      const sent: number[] = [];
      for (let i = 0; i < 3; i++) {
        proxy.reset();
        expect(await fetchWith(via, srv.fingerprint)).toBe('ok');
        await new Promise((r) => setTimeout(r, 50)); // the proxy's last segments
        sent.push(proxy.bytes().up);
      }
      expect(srv.handshakes).toEqual([false, false, false]);
      expect(sent[1]).toBeGreaterThan(sent[0]! + 30); // the offer
      expect(sent[2]).toBe(sent[0]); // none
    } finally {
      await proxy.close();
      srv.server.closeAllConnections();
      await new Promise<void>((r) => srv.server.close(() => r()));
    }
  });
});
