/**
 * A big file's blocks fetched as packs (POST /blocks/fetch, issue 21): a GET per block cost the
 * server a permission lookup and a metadata read per block, and left one round trip per block to
 * hide. Here the blocks come in groups of about GROUP_BYTES, in the order the file needs them,
 * with up to IN_FLIGHT groups under way ahead of the one being written (memory stays about
 * IN_FLIGHT × GROUP_BYTES). Each block is checked against its SHA-256 by the pack reader as it
 * arrives; a block the answer leaves out (no longer readable) is reported as undefined, and the
 * caller fetches it alone, which answers for it as before.
 */
import type { BlockRef } from '@coffer/protocol';
import { MAX_FETCH_BLOCKS } from '@coffer/protocol';
import type { SyncApi } from '../sync/sync-api.js';
import type { TransferStats } from './stats.js';

export type GroupFetchApi = Required<Pick<SyncApi, 'fetchBlocks'>>;

/** Plaintext bytes asked for in one request (well under MAX_FETCH_BYTES). */
export const GROUP_BYTES = 8 * 1024 * 1024;
/** Requests under way at once: one's blocks are written while the next ones stream. */
export const GROUPS_IN_FLIGHT = 3;

export class GroupFetcher {
  /** Group of each distinct hash; its bytes once arrived (kept until its last use). */
  readonly #groupOf = new Map<string, number>();
  readonly #groups: string[][] = [];
  readonly #started: Promise<void>[] = [];
  readonly #arrived = new Map<string, Uint8Array>();
  /** Uses left per hash (a block repeated in the file is fetched once and kept until its last use). */
  readonly #uses = new Map<string, number>();
  #failed: unknown;

  /** `blocks`: the blocks to fetch, in the order `take` will ask for them (repeats allowed). */
  constructor(
    private readonly api: GroupFetchApi,
    blocks: readonly BlockRef[],
    private readonly stats?: TransferStats,
    groupBytes = GROUP_BYTES,
    private readonly inFlight = GROUPS_IN_FLIGHT,
  ) {
    let bytes = 0;
    for (const b of blocks) {
      this.#uses.set(b.hash, (this.#uses.get(b.hash) ?? 0) + 1);
      if (this.#groupOf.has(b.hash)) continue;
      let g = this.#groups.at(-1);
      if (!g || (g.length > 0 && (bytes + b.size > groupBytes || g.length >= MAX_FETCH_BLOCKS))) {
        this.#groups.push((g = []));
        bytes = 0;
      }
      g.push(b.hash);
      bytes += b.size;
      this.#groupOf.set(b.hash, this.#groups.length - 1);
    }
  }

  /** The block's verified bytes, or undefined when the server left it out of its group's answer. */
  async take(b: BlockRef): Promise<Uint8Array | undefined> {
    const g = this.#groupOf.get(b.hash);
    if (g === undefined) return undefined;
    for (let i = g; i < Math.min(this.#groups.length, g + this.inFlight); i++) this.#start(i);
    await this.#started[g];
    const bytes = this.#arrived.get(b.hash);
    const left = (this.#uses.get(b.hash) ?? 1) - 1;
    this.#uses.set(b.hash, left);
    if (left <= 0) this.#arrived.delete(b.hash);
    if (bytes && bytes.byteLength !== b.size) throw new Error(`block ${b.hash} arrived with the wrong size; try again`);
    return bytes;
  }

  #start(i: number): void {
    if (this.#started[i]) return;
    const p = (async () => {
      if (this.#failed) throw this.#failed;
      for await (const got of this.api.fetchBlocks(this.#groups[i]!)) {
        // Only hashes asked for in this group are kept (the reader verified each against its hash).
        if (this.#groupOf.get(got.hash) !== i) continue;
        this.#arrived.set(got.hash, got.bytes);
        if (this.stats) this.stats.bytesDownloaded += got.bytes.byteLength;
      }
    })();
    p.catch((err: unknown) => void (this.#failed ??= err)); // seen by take(); groups not yet started fail at once
    this.#started[i] = p;
  }
}
