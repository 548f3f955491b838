import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BlockIds,
  BlockStore,
  FileStore,
  FsNode,
  NodePool,
  S3Node,
  loadMasterKey,
  loadSecret,
  type MasterKey,
  type StorageNode,
} from '../../storage-engine/src/index.js';
import type { Config } from './config.js';
import { DbBlockMetadata } from './db/block-metadata.js';
import { DbKeyProvider } from './db/key-provider.js';
import type { Db } from './db/open.js';

export interface Storage {
  nodes: StorageNode[];
  master: MasterKey;
  secret: Buffer;
  blocks: BlockStore;
  files: FileStore;
}

/**
 * The nodes and keys the engine runs on: S3/MinIO nodes when configured, else three local
 * directories in the data directory (2+1 erasure coding on one machine — for trying Coffer out).
 */
export async function openStorage(config: Config, db: Db): Promise<Storage> {
  const nodes: StorageNode[] =
    config.nodeUrls.length > 0
      ? config.nodeUrls.map((url, i) => S3Node.fromUrl(`s3-${i}`, url))
      : [0, 1, 2].map((i) => new FsNode(`local-${i}`, join(config.dataDir, 'nodes', `node-${i}`)));
  for (const n of nodes) {
    if (n instanceof S3Node) await n.ensureBucket();
    // Made at boot; while running, a vanished directory means a lost disk and the node reports down.
    if (n instanceof FsNode) await mkdir(n.dir, { recursive: true });
  }
  const master = await loadMasterKey({ envValue: config.masterKey, file: join(config.dataDir, 'keys', 'master.key') });
  const secret = await loadSecret({ envValue: config.serverSecret, file: join(config.dataDir, 'keys', 'server-secret.key') });
  const blocks = new BlockStore({
    pool: new NodePool(nodes.map((node) => ({ node, tier: 'hot' as const }))),
    metadata: new DbBlockMetadata(db),
    keys: new DbKeyProvider(db, master),
    ids: new BlockIds(secret),
  });
  return { nodes, master, secret, blocks, files: new FileStore(blocks) };
}
