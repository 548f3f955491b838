/**
 * A small TCP gate in front of the server for one agent: the soak cuts it (every open connection
 * reset, new ones refused) to take the agent offline without stopping it, and opens it again. It
 * forwards to whatever port the server listens on now, so a server restart on the same port is
 * transparent to the agent's login URL. Over plain HTTP it can tell the agent's event websocket
 * (a connection whose first bytes are `GET /api/v1/events`) from its other requests, and cut or
 * refuse only that, so the agent must fall back to long polls.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export class Gate {
  private open = true;
  /** Bytes per second from the agent to the server (undefined: as fast as it goes). */
  private rate: number | undefined;
  private readonly sockets = new Set<Socket>();
  /** Agent-side sockets of event websockets (plain HTTP only: TLS hides the request line). */
  private readonly websockets = new Set<Socket>();
  private refusingWebsockets = false;
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: () => number): Promise<Gate> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const gate = new Gate(server, (server.address() as AddressInfo).port);
    server.on('connection', (client) => gate.accept(client, targetPort()));
    return gate;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get isOpen(): boolean {
    return this.open;
  }

  private accept(client: Socket, port: number): void {
    if (!this.open) {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port });
    this.sockets.add(client);
    this.sockets.add(upstream);
    const end = () => {
      for (const s of [client, upstream]) {
        this.sockets.delete(s);
        if (!s.destroyed) s.destroy();
      }
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.once('close', () => this.websockets.delete(client));
    let first = true;
    client.on('data', (chunk: Buffer) => {
      if (first) {
        first = false;
        if (chunk.subarray(0, 18).toString('latin1') === 'GET /api/v1/events') {
          if (this.refusingWebsockets) return client.resetAndDestroy();
          this.websockets.add(client);
        }
      }
      if (!upstream.write(chunk)) client.pause(), upstream.once('drain', () => client.resume());
      if (this.rate) {
        // A slow uplink: hold the agent's next bytes back as long as these take at the rate.
        client.pause();
        setTimeout(() => upstream.writableNeedDrain || client.resume(), (chunk.length / this.rate) * 1000);
      }
    });
    client.on('end', () => upstream.end());
    upstream.pipe(client);
  }

  /** A slow uplink (a big upload then takes long enough for another device's step to land during it). */
  slow(bytesPerSecond: number | undefined): void {
    this.rate = bytesPerSecond;
  }

  /** Offline: every connection reset now, new ones refused until `restore`. */
  cut(): void {
    this.open = false;
    for (const s of this.sockets) s.resetAndDestroy();
    this.sockets.clear();
  }

  /** Reset every open event websocket now (the agent's other connections stay). */
  cutWebsockets(): number {
    const n = this.websockets.size;
    for (const s of this.websockets) s.resetAndDestroy();
    this.websockets.clear();
    return n;
  }

  /** Reset each new event websocket at its first bytes (`false`: let them through again). */
  refuseWebsockets(on: boolean): void {
    this.refusingWebsockets = on;
  }

  /** Event websockets open through the gate now. */
  get openWebsockets(): number {
    return this.websockets.size;
  }

  restore(): void {
    this.open = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
