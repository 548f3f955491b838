/**
 * A TCP proxy that counts every byte it relays, both ways: what a transfer costs on the wire,
 * TLS records, HTTP headers and rsync's protocol included, the same way for every tool measured.
 */
import net from 'node:net';

export interface CountingProxy {
  port: number;
  /** Bytes from clients to the target (up) and back (down) since the last reset. */
  bytes(): { up: number; down: number; connections: number };
  /** With BENCH_WIRE_TRACE: since the last reset, each run of bytes one way (`↑` up, `↓` down), by connection — an exchange's request and answer. */
  trace(): string[];
  reset(): void;
  close(): Promise<void>;
}

export async function countingProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<CountingProxy> {
  let up = 0;
  let down = 0;
  let connections = 0;
  const tracing = !!process.env.BENCH_WIRE_TRACE;
  let runs: { conn: number; dir: '↑' | '↓'; bytes: number }[] = [];
  const note = (conn: number, dir: '↑' | '↓', n: number) => {
    const last = runs.at(-1);
    if (last && last.conn === conn && last.dir === dir) last.bytes += n;
    else runs.push({ conn, dir, bytes: n });
  };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const conn = ++connections;
    const target = net.connect(targetPort, targetHost);
    for (const s of [client, target]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        target.destroy();
      });
    }
    client.on('data', (d: Buffer) => {
      up += d.byteLength;
      if (tracing) note(conn, '↑', d.byteLength);
    });
    target.on('data', (d: Buffer) => {
      down += d.byteLength;
      if (tracing) note(conn, '↓', d.byteLength);
    });
    client.pipe(target);
    target.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    bytes: () => ({ up, down, connections }),
    trace: () => runs.map((r) => `#${r.conn} ${r.dir} ${r.bytes}`),
    reset() {
      up = 0;
      down = 0;
      connections = 0;
      runs = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
