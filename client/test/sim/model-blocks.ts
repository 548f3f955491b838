/**
 * The model's blocks: bytes by SHA-256, verified on the way in as the server verifies them
 * (blocks/put.ts), and readable only through a committed version that lists them
 * (blocks/readable.ts). Nothing is ever collected: every block a version names stays.
 */
import { MAX_BLOCK_BYTES } from '@coffer/protocol';
import { NotFoundError, checkBlockBytes, tooLarge } from '@coffer/server/rules';

export class BlockStore {
  readonly #bytes = new Map<string, Uint8Array>();

  has(hash: string): boolean {
    return this.#bytes.has(hash);
  }

  /** Size of a held block. */
  size(hash: string): number | undefined {
    return this.#bytes.get(hash)?.byteLength;
  }

  /** The hashes not held, each once, in the order first asked. */
  missing(hashes: readonly string[]): string[] {
    return [...new Set(hashes)].filter((h) => !this.#bytes.has(h));
  }

  /** Store a block under its hash (lowercase hex, already checked as a hash): 413, 400 'empty_block', 400 'hash_mismatch'. */
  put(hash: string, data: Uint8Array): { stored: boolean } {
    if (data.byteLength > MAX_BLOCK_BYTES) throw tooLarge();
    checkBlockBytes(hash, data);
    if (this.#bytes.has(hash)) return { stored: false };
    this.#bytes.set(hash, Uint8Array.from(data));
    return { stored: true };
  }

  /** Whether the block is readable: held (the model is one user: a block is in a version, or the user's own upload awaiting a commit). */
  readable(hash: string): boolean {
    return this.#bytes.has(hash);
  }

  /** A block's bytes, if held; 404 'block_not_found' otherwise. */
  read(hash: string): Uint8Array {
    // The model is one user's namespace: a block it holds is in a version, or is that user's own
    // upload awaiting a commit (its reservation live: readable to the user, blocks/readable.ts).
    const bytes = this.#bytes.get(hash);
    if (!bytes) throw new NotFoundError('no readable file has a block with that hash', { code: 'block_not_found' });
    return Uint8Array.from(bytes);
  }

  /** Bytes of a block, readable or not (for the simulation's checks). */
  peek(hash: string): Uint8Array | undefined {
    return this.#bytes.get(hash);
  }
}
