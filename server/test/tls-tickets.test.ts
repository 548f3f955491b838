/**
 * The listener's TLS sessions (boot/listen.ts): a second connection that offers the first one's
 * ticket resumes it, and is sent neither the certificate again nor new tickets (issue 21: ~525
 * bytes less a connection for the agent, which resumes).
 */
import net from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@coffer/test-support/temp-dir';
import { listen, type Listener } from '../src/boot/listen.js';
import { loadTls } from '../src/tls.js';

/** One TLS connection: whether it resumed, the bytes it received, and the session it was given (if any). */
function handshake(port: number, session?: Buffer): Promise<{ reused: boolean; received: number; session: Buffer | undefined }> {
  return new Promise((resolve, reject) => {
    let latest: Buffer | undefined;
    // The TCP socket counts what came on the wire (the TLS socket counts plaintext).
    const raw = net.connect(port, '127.0.0.1');
    const s: TLSSocket = connect({ socket: raw, rejectUnauthorized: false, ...(session ? { session } : {}) });
    s.on('session', (b: Buffer) => (latest = b));
    s.on('secureConnect', () => {
      s.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    });
    s.on('data', () => undefined);
    s.on('end', () => resolve({ reused: s.isSessionReused(), received: raw.bytesRead, session: latest }));
    s.on('error', reject);
  });
}

describe('TLS session tickets', () => {
  let dir: TempDir;
  let l: Listener;
  beforeAll(async () => {
    dir = await makeTempDir('coffer-tls-tickets-');
    l = await listen(new Hono().get('/', (c) => c.text('hi')), { host: '127.0.0.1', port: 0 }, await loadTls(dir.path, {}));
  });
  afterAll(async () => {
    l.stopAccepting();
    await l.drained(1000);
    await dir.remove();
  });

  it('resumes a session from its ticket, without the certificate or new tickets', async () => {
    const first = await handshake(l.port);
    expect(first.reused).toBe(false);
    expect(first.session).toBeDefined();
    const second = await handshake(l.port, first.session);
    expect(second.reused).toBe(true);
    // The certificate and its signature (~580 bytes) and the two tickets stay away.
    expect(first.received - second.received).toBeGreaterThan(500);
  });

  it('a made-up session is not resumed: a full handshake, as without one', async () => {
    const first = await handshake(l.port);
    const forged = Buffer.from(first.session!);
    forged[forged.length - 40]! ^= 0xff;
    const other = await handshake(l.port, forged).catch(() => ({ reused: false }));
    expect(other.reused).toBe(false);
  });
});
