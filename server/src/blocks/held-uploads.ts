/**
 * Blocks of a big file's upload that this process announced (sync/uploading.ts), remembered for a
 * minute by stored key: the other devices that fetch them while the upload goes on (issue 21's
 * early fetch) are answered without the three statements of readable.ts — the readable versions,
 * the caller's shares, the live reservations — each time (~3 ms of PGlite a request, ~55 ms of
 * the server's main thread for a new 100 MiB file).
 *
 * Sound because a stored key names a namespace (storage `keyFor`: an HMAC of namespace and hash),
 * and a block stored under the caller's own namespace is readable to the caller either way: in a
 * version of one of their files, or held for their commit still to come. A key is remembered for
 * at most the reservation's life, so an abandoned upload's block is not answered for past the
 * point GC may take it; after that, or in another server process, the statements decide as before.
 */

import type { Storage } from '../storage.js';

/** How long an announced block is remembered: the early fetch drops a quiet upload after a minute too. */
const HOLD_MS = 60_000;
/** Keys remembered at most (~100 bytes each): 100 GiB of 1 MiB blocks uploading at once. */
const MAX_KEYS = 100_000;

export class HeldUploads {
  /** Stored key → its plaintext size and when it is forgotten, oldest first. */
  readonly #keys = new Map<string, { size: number; until: number }>();

  constructor(
    private readonly holdMs = HOLD_MS,
    private readonly maxKeys = MAX_KEYS,
    private readonly now: () => number = Date.now,
  ) {}

  /** These blocks are stored under the uploader's namespace; `reservedMs`: how long their reservation lives. */
  note(blocks: readonly { key: string; size: number }[], reservedMs: number): void {
    const until = this.now() + Math.min(this.holdMs, reservedMs);
    for (const b of blocks) {
      this.#keys.delete(b.key); // re-inserted as the newest
      this.#keys.set(b.key, { size: b.size, until });
    }
    this.#trim();
  }

  /** The plaintext size of a remembered block, or undefined (never announced, or forgotten). */
  size(key: string): number | undefined {
    const held = this.#keys.get(key);
    if (!held) return undefined;
    if (held.until <= this.now()) {
      this.#keys.delete(key);
      return undefined;
    }
    return held.size;
  }

  /** Keys held, some perhaps expired and not yet dropped: 0 means none can be found. */
  get count(): number {
    return this.#keys.size;
  }

  /** Past the cap the oldest go; expired ones at the front go too (the map keeps insertion order). */
  #trim(): void {
    const now = this.now();
    for (const [key, held] of this.#keys) {
      if (this.#keys.size <= this.maxKeys && held.until > now) break;
      this.#keys.delete(key);
    }
  }
}

/** The process's own: every route that announces notes here, and readable.ts looks here first. */
export const heldUploads = new HeldUploads();

/** `blocks` (by hash) are stored under `namespaceId` and about to be announced: remember them. */
export function rememberAnnounced(storage: Storage, namespaceId: string, blocks: readonly { hash: string; size: number }[], reservedMs: number): void {
  heldUploads.note(
    blocks.map((b) => ({ key: storage.blocks.keyFor(namespaceId, b.hash), size: b.size })),
    reservedMs,
  );
}
