/** Which blocks a namespace already holds, by plaintext hash (dedup is per namespace, DESIGN §3). */
import type { Db } from '../db/open.js';
import { pgTextArray, rawRows } from '../db/raw.js';
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
  if (keys.length === 0) return held;
  // Looked up by stored key (the primary key), all in one statement with one array parameter:
  // drizzle's inArray builds a parameter per key, which cost more CPU than the lookup (issue 20).
  const rows = await rawRows(db, 'select key, size from blocks where key = any($1::text[])', [pgTextArray(keys)]);
  for (const r of rows) held.set(hashOfKey.get(String(r.key))!, { key: String(r.key), size: Number(r.size) });
  return held;
}

/** The hashes the namespace lacks, each once, in the order first asked. */
export async function missingHashes(db: Db, storage: Storage, namespaceId: string, hashes: readonly string[]): Promise<string[]> {
  const unique = [...new Set(hashes)];
  const held = await heldBlocks(db, storage, namespaceId, unique);
  return unique.filter((h) => !held.has(h));
}
