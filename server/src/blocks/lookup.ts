/** Which blocks a namespace already holds, by plaintext hash (dedup is per namespace, DESIGN §3). */
import { inArray } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { blocks } from '../db/schema.js';
import type { Storage } from '../storage.js';

export interface HeldBlock {
  /** Stored key: HMAC(secret, namespace ‖ hash), so a hash never names another namespace's block. */
  key: string;
  size: number;
}

/** The namespace's blocks among these hashes (lowercase hex), by hash. */
export async function heldBlocks(db: Db, storage: Storage, namespaceId: string, hashes: readonly string[]): Promise<Map<string, HeldBlock>> {
  const hashOfKey = new Map<string, string>();
  for (const h of hashes) hashOfKey.set(storage.blocks.keyFor(namespaceId, h), h);
  const keys = [...hashOfKey.keys()];
  const held = new Map<string, HeldBlock>();
  // Looked up by stored key (the primary key), a thousand at a time to keep statements small.
  for (let i = 0; i < keys.length; i += 1000) {
    const rows = await db.select({ key: blocks.key, size: blocks.size }).from(blocks).where(inArray(blocks.key, keys.slice(i, i + 1000)));
    for (const r of rows) held.set(hashOfKey.get(r.key)!, r);
  }
  return held;
}

/** The hashes the namespace lacks, each once, in the order first asked. */
export async function missingHashes(db: Db, storage: Storage, namespaceId: string, hashes: readonly string[]): Promise<string[]> {
  const unique = [...new Set(hashes)];
  const held = await heldBlocks(db, storage, namespaceId, unique);
  return unique.filter((h) => !held.has(h));
}
