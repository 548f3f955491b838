/** A sync commit's block list, checked against what the namespace holds before anything commits. */
import type { Db } from '../db/open.js';
import { heldBlocks, type HeldBlock } from '../blocks/lookup.js';
import type { VersionBlock } from '../files/versions.js';
import { BadRequestError } from '../http-errors.js';
import type { Storage } from '../storage.js';

export interface ListedBlock {
  /** Lowercase hex SHA-256 of the plaintext. */
  hash: string;
  size: number;
}

/**
 * The stored keys of the listed blocks, in order. 400 'size_mismatch' when the sizes do not add
 * up to the file's; 400 'missing_blocks' (with the hashes, each once) when the namespace lacks
 * some — upload them with PUT /blocks/:sha256 and commit again; 400 'block_size_mismatch' when a
 * block is listed with another size than it has. Looked up before the commit's transaction: GC
 * waits out a grace period before it deletes an unreferenced block, so a block found here is
 * still there when the commit counts its reference.
 */
export async function resolveBlockList(db: Db, storage: Storage, namespaceId: string, list: readonly ListedBlock[], size: number): Promise<VersionBlock[]> {
  checkSizes(list, size);
  return listedBlocks(await heldBlocks(db, storage, namespaceId, [...new Set(list.map((b) => b.hash))]), list, size);
}

/** resolveBlockList's checks against blocks looked up already (a batch looks up all its files' at once). */
export function listedBlocks(held: ReadonlyMap<string, HeldBlock>, list: readonly ListedBlock[], size: number): VersionBlock[] {
  checkSizes(list, size);
  const missing = [...new Set(list.filter((b) => !held.has(b.hash)).map((b) => b.hash))];
  if (missing.length > 0) {
    throw new BadRequestError(`${missing.length} of the blocks are not on the server; upload them first`, { code: 'missing_blocks', details: { missing } });
  }
  return list.map((b) => {
    const h = held.get(b.hash)!;
    if (h.size !== b.size) {
      throw new BadRequestError(`block ${b.hash} is ${h.size} bytes, not ${b.size}`, { code: 'block_size_mismatch', details: { hash: b.hash, size: b.size, actual: h.size } });
    }
    return { key: h.key, size: b.size, hash: b.hash };
  });
}

function checkSizes(list: readonly ListedBlock[], size: number): void {
  const sum = list.reduce((n, b) => n + b.size, 0);
  if (sum !== size) {
    throw new BadRequestError(`the blocks add up to ${sum} bytes, not the ${size} declared`, { code: 'size_mismatch', details: { size, blocksSize: sum } });
  }
}
