/**
 * A small TCP gate in front of the server for one agent: the soak cuts it (every open connection
 * reset, new ones refused) to take the agent offline without stopping it, and opens it again. It
 * forwards to whatever port the server listens on now, so a server restart on the same port is
 * transparent to the agent's login URL.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export class Gate {
  private open = true;
  private readonly sockets = new Set<Socket>();
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
    client.pipe(upstream);
    upstream.pipe(client);
  }

  /** Offline: every connection reset now, new ones refused until `restore`. */
  cut(): void {
    this.open = false;
    for (const s of this.sockets) s.resetAndDestroy();
    this.sockets.clear();
  }

  restore(): void {
    this.open = true;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
