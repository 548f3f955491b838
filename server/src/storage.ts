import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BlockIds,
  BlockStore,
  FileStore,
  FsNode,
  NodePool,
  S3Node,
  WorkerSealer,
  loadMasterKey,
  loadSecret,
  type MasterKey,
  type StorageNode,
} from '../../storage-engine/src/index.js';
import type { Config } from './config.js';
import { DbBlockMetadata } from './db/block-metadata.js';
import { describeError } from './error-log.js';
import { DbKeyProvider } from './db/key-provider.js';
import type { Db } from './db/open.js';
import { markNodeBlocksDegraded, recordDegraded } from './health/degraded.js';
import { NodeMonitor } from './health/monitor.js';

export interface Storage {
  nodes: StorageNode[];
  master: MasterKey;
  secret: Buffer;
  blocks: BlockStore;
  files: FileStore;
  /** Probes the nodes (started by main; the admin API reads it). */
  monitor: NodeMonitor;
}

/**
 * The nodes and keys the engine runs on: S3/MinIO nodes when configured, else three local
 * directories in the data directory (2+1 erasure coding on one machine — for trying Coffer out);
 * cold-tier nodes only when configured (the tiering job moves blocks there).
 */
export async function openStorage(config: Config, db: Db): Promise<Storage> {
  const hot: StorageNode[] =
    config.nodeUrls.length > 0
      ? config.nodeUrls.map((url, i) => S3Node.fromUrl(`s3-${i}`, url))
      : [0, 1, 2].map((i) => new FsNode(`local-${i}`, join(config.dataDir, 'nodes', `node-${i}`)));
  const cold = config.coldNodeUrls.map((url, i) => S3Node.fromUrl(`cold-${i}`, url));
  const nodes = [...hot, ...cold];
  for (const n of nodes) {
    // A node down at boot must not stop the server: writes skip it and the monitor watches it.
    if (n instanceof S3Node) await n.ensureBucket().catch((err: unknown) => console.error(`storage node ${n.id} is unreachable at boot: ${describeError(err)}`));
    // Made at boot; while running, a vanished directory means a lost disk and the node reports down.
    if (n instanceof FsNode) await mkdir(n.dir, { recursive: true });
  }
  const master = await loadMasterKey({ envValue: config.masterKey, file: join(config.dataDir, 'keys', 'master.key') });
  const secret = await loadSecret({ envValue: config.serverSecret, file: join(config.dataDir, 'keys', 'server-secret.key') });
  const pool = new NodePool([...hot.map((node) => ({ node, tier: 'hot' as const })), ...cold.map((node) => ({ node, tier: 'cold' as const }))]);
  const blocks = new BlockStore({
    pool,
    metadata: new DbBlockMetadata(db),
    keys: new DbKeyProvider(db, master),
    ids: new BlockIds(secret),
    // Off the main thread, which the HTTP server, TLS and (embedded) the database keep busy.
    sealer: config.sealThreads > 0 ? new WorkerSealer(secret, config.sealThreads) : undefined,
    // Persisted, so the repair job finds every degraded block, also after a restart.
    onDegraded: (key, reason) => void recordDegraded(db, key, reason),
  });
  const monitor = new NodeMonitor(pool, {
    intervalMs: config.jobs.probeIntervalMs,
    onDown: (nodeId) => markNodeBlocksDegraded(db, nodeId),
  });
  return { nodes, master, secret, blocks, files: new FileStore(blocks), monitor };
}
