import { join } from 'node:path';
import {
  BlockIds,
  BlockStore,
  FileStore,
  NodePool,
  WorkerSealer,
  loadMasterKey,
  loadSecret,
  type EngineEvents,
  type MasterKey,
  type StorageNode,
} from '@coffer/storage-engine';
import type { Config } from './config.js';
import { DbBlockMetadata } from './db/block-metadata.js';
import { DbKeyProvider } from './db/key-provider.js';
import type { Db } from './db/open.js';
import { markNodeBlocksDegraded, recordDegraded } from './health/degraded.js';
import { NodeMonitor } from './health/monitor.js';
import { NodeRegistry } from './nodes/registry.js';

export interface Storage {
  /** The nodes in use now (both tiers; nodes come and go at run time). */
  readonly nodes: StorageNode[];
  /** Adds, drains and retires nodes (the admin API), in the database and the pool alike. */
  registry: NodeRegistry;
  master: MasterKey;
  secret: Buffer;
  blocks: BlockStore;
  files: FileStore;
  /** Probes the nodes (started and stopped by boot/server.ts; the admin API reads it). */
  monitor: NodeMonitor;
}

/**
 * The nodes and keys the engine runs on. Nodes are those the database knows, reconciled with
 * COFFER_NODES / COFFER_COLD_NODES (nodes/reconcile.ts; a configuration that would strand shards
 * refuses the start); with none configured or known, three local directories in the data
 * directory (2+1 erasure coding on one machine — for trying Coffer out).
 */
export async function openStorage(config: Config, db: Db, events?: EngineEvents): Promise<Storage> {
  const master = await loadMasterKey({ envValue: config.masterKey, file: join(config.dataDir, 'keys', 'master.key') });
  const secret = await loadSecret({ envValue: config.serverSecret, file: join(config.dataDir, 'keys', 'server-secret.key') });
  const keys = new DbKeyProvider(db, master);
  const pool = new NodePool([]);
  const registry = new NodeRegistry(db, pool, keys, config.dataDir);
  // Before the block store: its erasure width follows the number of hot nodes.
  await registry.boot(config.nodes);
  const blocks = new BlockStore({
    pool,
    metadata: new DbBlockMetadata(db),
    keys,
    ids: new BlockIds(secret),
    // Off the main thread, which the HTTP server, TLS and (embedded) the database keep busy.
    sealer: config.sealThreads > 0 ? new WorkerSealer(secret, config.sealThreads) : undefined,
    // Persisted, so the repair job finds every degraded block, also after a restart.
    onDegraded: (key, reason) => void recordDegraded(db, key, reason),
    // Stage timings and dedup/compression figures for the metrics.
    ...(events ? { events } : {}),
  });
  const monitor = new NodeMonitor(pool, {
    intervalMs: config.jobs.probeIntervalMs,
    onDown: (nodeId) => markNodeBlocksDegraded(db, nodeId),
    // Nodes other instances added, drained or retired.
    beforeRound: () => registry.refresh(),
  });
  return {
    get nodes() {
      return pool.all();
    },
    registry,
    master,
    secret,
    blocks,
    files: new FileStore(blocks),
    monitor,
  };
}
