/**
 * The listener's HTTP/1.1 answers (boot/listen.ts, quiet-keep-alive.ts): no `Connection:
 * keep-alive` (a 1.1 connection persists by default) but still Node's `Keep-Alive: timeout`
 * hint, the connection still reused; `Connection: close` whenever the connection is not kept.
 */
import net from 'node:net';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { listen, type Listener } from '../src/boot/listen.js';

/** Raw requests on one socket; resolves with everything the server wrote until it closed or `until` matched. */
function exchange(port: number, requests: string[], until: (text: string) => boolean): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    let text = '';
    let closed = false;
    const done = () => resolve({ text, closed });
    s.on('data', (d) => {
      text += d.toString('latin1');
      if (until(text)) {
        s.destroy();
        done();
      }
    });
    s.on('end', () => {
      closed = true;
      done();
    });
    s.on('error', reject);
    s.write(requests.join(''));
  });
}

const heads = (text: string) => text.split('HTTP/1.').slice(1).map((a) => a.split('\r\n\r\n')[0]!.toLowerCase());

describe('keep-alive headers', () => {
  let l: Listener | undefined;
  afterEach(async () => {
    l?.stopAccepting();
    await l?.drained(1000);
    l = undefined;
  });

  const start = async (app = new Hono().get('/', (c) => c.text('hi'))) => (l = await listen(app, { host: '127.0.0.1', port: 0 }));

  it('a 1.1 connection is kept without saying keep-alive, with the timeout hint', async () => {
    const { port } = await start();
    const get = 'GET / HTTP/1.1\r\nHost: x\r\n\r\n';
    const { text, closed } = await exchange(port, [get, get], (t) => heads(t).length === 2 && t.endsWith('hi'));
    expect(closed).toBe(false);
    const [a, b] = heads(text);
    for (const h of [a!, b!]) {
      expect(h).not.toContain('connection:');
      expect(h).toMatch(/keep-alive: timeout=\d+/);
    }
  });

  it('says close when the client asks for it, or speaks HTTP/1.0', async () => {
    const { port } = await start();
    for (const req of ['GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 'GET / HTTP/1.0\r\n\r\n']) {
      const { text, closed } = await exchange(port, [req], () => false);
      expect(closed).toBe(true);
      expect(heads(text)[0]).toContain('connection: close');
      expect(heads(text)[0]).not.toContain('keep-alive: timeout');
    }
  });

  it('says close on an answer still being made when the server stops accepting', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let arrived!: () => void;
    const inside = new Promise<void>((r) => (arrived = r));
    const app = new Hono().get('/', async (c) => {
      arrived();
      await held;
      return c.text('late');
    });
    const listener = await start(app);
    const answer = exchange(listener.port, ['GET / HTTP/1.1\r\nHost: x\r\n\r\n'], () => false);
    await inside;
    listener.stopAccepting();
    release();
    const { text, closed } = await answer;
    expect(closed).toBe(true);
    expect(heads(text)[0]).toContain('connection: close');
    expect(heads(text)[0]).not.toContain('keep-alive: timeout');
    await listener.drained(1000);
    l = undefined;
  });
});
