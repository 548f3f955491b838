/**
 * One client process of `npm run bench:sync` (forked with IPC): holds a share of the idle long
 * polls and websockets, spread over the source addresses it is given (one address has ~28k
 * ephemeral ports towards one server port, and a process at most RLIMIT_NOFILE sockets).
 *
 * Parent → child: {cmd:'open', url, token, cursor, longpolls, sockets, addresses}
 * Child → parent: {type:'opened', longpolls, sockets, failed, early}  (sockets: resumed and synced)
 *                 {type:'woken', first, last, count}  (absolute ms: performance.timeOrigin + now)
 */
import { request } from 'node:http';
import WebSocket from 'ws';

interface OpenCmd {
  cmd: 'open';
  url: string;
  token: string;
  cursor: number;
  longpolls: number;
  sockets: number;
  addresses: string[];
}

const at = () => performance.timeOrigin + performance.now();
const send = (m: unknown) => process.send!(m);

let expected = 0;
let woken = 0;
let first = 0;
let last = 0;
let early = 0;
let armed = false;
const held: { destroy(): void }[] = [];

function wake(): void {
  if (!armed) {
    early++;
    return;
  }
  const t = at();
  first ||= t;
  last = t;
  if (++woken === expected) send({ type: 'woken', first, last, count: woken });
}

function openLongpoll(c: OpenCmd, localAddress: string): Promise<void> {
  const u = new URL(`/api/v1/changes/longpoll?cursor=${c.cursor}&timeout=480`, c.url);
  return new Promise((resolve, reject) => {
    const req = request(u, { agent: false, localAddress, headers: { authorization: `Bearer ${c.token}` } }, (res) => {
      res.resume();
      res.on('end', wake);
    });
    req.on('error', reject);
    // "Opened" once the request is on the wire; the parent waits for the server to go idle.
    req.on('socket', (s) => s.once('connect', () => resolve()));
    req.end();
    held.push(req);
  });
}

function openSocket(c: OpenCmd, localAddress: string): Promise<void> {
  const ws = new WebSocket(`${c.url.replace(/^http/, 'ws')}/api/v1/events`, ['coffer', `bearer.${c.token}`], { localAddress, perMessageDeflate: false });
  held.push({ destroy: () => ws.terminate() });
  return new Promise((resolve, reject) => {
    ws.once('open', () => ws.send(JSON.stringify({ type: 'resume', cursor: c.cursor })));
    ws.once('error', reject);
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { type: string };
      if (m.type === 'synced') resolve();
      else if (m.type === 'change') wake();
    });
  });
}

/** Open `count` connections with at most `width` handshakes in flight (the listen backlog is finite). */
async function openMany(count: number, width: number, open: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  let failed = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) {
        const i = next++;
        await open(i).catch(() => failed++);
      }
    }),
  );
  return failed;
}

process.on('message', async (m: OpenCmd | { cmd: 'arm' } | { cmd: 'exit' }) => {
  if (m.cmd === 'open') {
    expected = m.longpolls + m.sockets;
    const addr = (i: number) => m.addresses[i % m.addresses.length]!;
    let failed = await openMany(m.longpolls, 64, (i) => openLongpoll(m, addr(i)));
    failed += await openMany(m.sockets, 64, (i) => openSocket(m, addr(i)));
    expected -= failed;
    send({ type: 'opened', longpolls: m.longpolls, sockets: m.sockets, failed, early });
  } else if (m.cmd === 'arm') {
    armed = true;
    send({ type: 'armed', early });
  } else {
    for (const h of held) h.destroy();
    process.exit(0);
  }
});
