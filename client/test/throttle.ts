/** A TCP pipe to a local port whose uplink (client to server, all connections together) runs at a fixed rate, sampling when bytes passed. */
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

export interface Throttle {
  port: number;
  /** Bytes from clients so far, sampled at each chunk: [time ms, cumulative bytes]. */
  uplink(): [number, number][];
  close(): Promise<void>;
}

export async function throttle(targetPort: number, bytesPerSecond: number): Promise<Throttle> {
  let bytes = 0;
  const samples: [number, number][] = [];
  let free = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    sockets.add(client).add(upstream);
    const end = () => [client, upstream].forEach((s) => (sockets.delete(s), s.destroy()));
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      samples.push([Date.now(), bytes]);
      upstream.write(chunk);
      // One budget for all connections (a transfer uses several at once).
      const now = Date.now();
      free = Math.max(free, now) + (chunk.length / bytesPerSecond) * 1000;
      client.pause();
      setTimeout(() => client.resume(), free - now);
    });
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    uplink: () => samples,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
