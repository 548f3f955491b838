import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import type { StorageNode } from '../../storage-engine/src/index.js';
import type { Db } from './db/open.js';
import { installErrorHandler } from './http-errors.js';

/** The HTTP application. Routes are mounted per concern as the server grows (app.route('/api/v1/files', …)). */
export function createApp(deps: { nodes: StorageNode[]; db: Db }): Hono {
  const app = new Hono();
  installErrorHandler(app);
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const results = await Promise.all(
      deps.nodes.map(async (n) => {
        try {
          await n.head('health/probe');
          return { id: n.id, up: true };
        } catch {
          return { id: n.id, up: false };
        }
      }),
    );
    const up = results.filter((r) => r.up).length;
    const database = await deps.db.execute(sql`select 1`).then(() => true, () => false);
    // Writes need a quorum of k+1 shards on distinct nodes; with 2+1 that is two nodes.
    const ready = database && up >= Math.min(deps.nodes.length, 2);
    return c.json({ status: ready ? 'ready' : 'not ready', database, nodes: results }, ready ? 200 : 503);
  });
  app.get('/', (c) =>
    c.text('Coffer is running. The drive, API and apps are being built: see the project README.\n'),
  );
  return app;
}
