/**
 * Sending one block the server lacks, in as few bytes as the server accepts (issue 21): a zstd
 * delta against the previous version's blocks at the same place when this device still has their
 * plaintext (block-cache.ts), else zstd, else raw. The bases are found by offset overlap in the
 * replaced version's block list. The blocks of an upload go together in entry packs (POST
 * /blocks/pack/entries: one request, one connection, for all of a file's changed blocks); a
 * server without that route gets each block on PUT /blocks/{sha256}/encoded, and one without
 * that (404 on the route) raw blocks on PUT /blocks/{sha256}, as before, for the rest of the upload.
 */
import { releaseMemory } from '@coffer/storage-engine/memory';
import { DELTA_DICTIONARY_BYTES, ENTRY_PACK_MAGIC, MAX_DELTA_BASES, MAX_PACK_BLOCKS, MAX_PACK_BYTES, entryOverhead, entryPackBytes, usableDeltaBase, type BlockRef, type PackEntryOnWire } from '@coffer/protocol';
import { ApiError } from '../api/errors.js';
import type { PackAnnounce, SyncApi } from '../sync/sync-api.js';
import type { BlockCache } from './block-cache.js';
import type { TransferStats } from './stats.js';
import { compressed, encodeBlock, type EncodedBlock } from './wire-encode.js';

export interface WireOptions {
  /** Plaintext of blocks sent or received before: the bases of deltas. Without it, blocks are only compressed. */
  cache?: BlockCache;
  /** The block list of the version this upload replaces; asked once, and only when a block must be sent. */
  baseBlocks?: () => Promise<readonly BlockRef[] | undefined>;
  /** That version's content hash: its list is taken from the cache when there (no request), else from baseBlocks. */
  baseContentHash?: string;
  /** Raw blocks on the old route only (a server too old, or a test of one). */
  raw?: boolean;
  /** The file's remote path, and the size of the version it replaces (0: new): a big file that is
   *  new, or whose last version was a small part of it (a copy seen half-written), has each pack of
   *  blocks that follow each other in it announced with its offset, so that the user's other
   *  devices may fetch them before the commit (issue 21). */
  announce?: { path: string; baseSize: number };
}

/** A file whose last version was at most this part of it is nearly new (a copy first seen half-written): announced as new. */
export const NEARLY_NEW = 1 / 16;

export type BlockSendApi = Pick<SyncApi, 'putBlock' | 'putBlockEncoded' | 'putPackEntries'>;

/** Plaintext gathered in one entry pack before it goes — as much as the server takes in one
 *  (its body is kept within MAX_PACK_BYTES too): each pack costs a request's headers and answer
 *  (~550 bytes with TLS framing), so a 17 MiB file goes in two packs, not three. Memory stays
 *  about twice this (one pack filling, one on the wire). */
export const PACK_PLAIN_BYTES = MAX_PACK_BYTES;

/**
 * Lanes for a big file (BlockSender.lanes). One lane (one connection) carries a file's packs and
 * questions one after the other, and a new 100 MiB file went at the server's pace per pack, one
 * after the other (~120 ms each: its body, its hashes, its shards' fsync), each question waiting
 * behind a pack. With two, a second lane opens when a full pack is ready while the first carries
 * one (the next pack streams while the server stores the one before), and a question asked while
 * a full pack is on the wire goes at once on a connection of its own.
 */
export const BIG_FILE_LANES = 2;

interface Lane {
  /** Its last request settled (never rejects). */
  tail: Promise<void>;
  /** Requests on it not yet settled. */
  busy: number;
  /** Full packs among them. */
  fullPacks: number;
}

interface Queued {
  hash: string;
  bytes: Uint8Array;
  offset: number;
  entry: PackEntryOnWire;
  /** The caller gave the block's memory away (add's `owned`): freed once it is on the server. */
  owned: boolean;
}

interface Placed {
  hash: string;
  offset: number;
  end: number;
}

export class BlockSender {
  #encoded: boolean;
  #packs: boolean;
  #bases: Promise<Placed[]> | undefined;
  #queued: Queued[] = [];
  #queuedBytes = 0;
  /** The queued pack's body size on the wire. */
  #queuedWire = 0;
  #lanes: Lane[] = [{ tail: Promise.resolve(), busy: 0, fullPacks: 0 }];
  /** Packs chained and not yet settled (finish waits for them). */
  #underWay = new Set<Promise<void>>();
  /** The first pack that failed: later ones are not sent, and finish throws it. */
  #failed: { err: unknown } | undefined;
  /** Plaintext bytes per entry pack: smaller where progress is shown (a pack is one step of it). */
  packBytes = PACK_PLAIN_BYTES;
  /** Lanes at most: 1, or BIG_FILE_LANES for a file of several full packs (more connections cost
   *  their handshakes, ~4 KB each: not worth it for a file of a pack or two). */
  lanes = 1;
  /** Packs are announced (WireOptions.announce) as of a file of this size (announceIfBig). */
  announcing: number | undefined;
  /** Called with a block's plaintext size once it is on the server (in its pack or alone): progress. */
  onSent: ((plainBytes: number) => void) | undefined;

  constructor(
    private readonly api: BlockSendApi,
    private readonly wire: WireOptions,
    private readonly stats: TransferStats,
  ) {
    this.#encoded = !wire.raw && api.putBlockEncoded !== undefined;
    this.#packs = this.#encoded && api.putPackEntries !== undefined;
  }

  /**
   * Send one block found at `offset` of the file, or queue it in the next entry pack (then it is
   * on the server once `finish` resolved). Waits while a full pack is still waiting to go.
   * `owned`: the block's memory is the sender's from now on (a buffer no one else holds or reads
   * again, like the upload's chunks) and is freed as soon as the block is on the server.
   */
  async add(hash: string, bytes: Uint8Array, offset: number, owned = false): Promise<void> {
    if (!this.#packs) {
      await this.send(hash, bytes, offset);
      if (owned) releaseMemory(bytes);
      return;
    }
    const enc = await encodeBlock(bytes, await this.#base(hash, offset, bytes.byteLength));
    const entry: PackEntryOnWire = enc
      ? { hash, size: bytes.byteLength, encoding: enc.encoding, ...(enc.bases ? { bases: enc.bases } : {}), body: enc.body }
      : { hash, size: bytes.byteLength, encoding: 'identity', body: bytes };
    const wire = entryOverhead(entry, 'lean') + entry.body.byteLength;
    let full: Queued[] | undefined;
    const over = this.#queuedBytes + bytes.byteLength > this.packBytes || this.#queuedWire + wire > MAX_PACK_BYTES || this.#queued.length >= MAX_PACK_BLOCKS;
    if (this.#queued.length > 0 && over) {
      full = this.#queued;
      this.#queued = [];
      this.#queuedBytes = 0;
    }
    if (this.#queued.length === 0) this.#queuedWire = ENTRY_PACK_MAGIC.byteLength;
    this.#queued.push({ hash, bytes, offset, entry, owned });
    this.#queuedBytes += bytes.byteLength;
    this.#queuedWire += wire;
    if (full) await this.#enqueue(full, true);
  }

  /** Send what is queued; resolves when every block added is on the server. */
  async finish(): Promise<void> {
    const last = this.#queued;
    this.#queued = [];
    this.#queuedBytes = 0;
    this.#queuedWire = 0;
    if (last.length > 0) await this.#enqueue(last, false);
    while (this.#underWay.size > 0) await Promise.all(this.#underWay);
    if (this.#failed) throw this.#failed.err;
  }

  /**
   * Run a request on a lane that is free (else after the request under way on the least busy),
   * so that it goes on a connection already open: a request beside a pack on the wire would open
   * another TLS connection (~4 KB of handshake). The lane goes on whether `fn` fails or not; its
   * failure is the caller's.
   */
  inLane<T>(fn: () => Promise<T>): Promise<T> {
    // A big file with a full pack on the wire: a question waiting behind it held up the reading
    // and so the next pack; it goes at once instead (the agent keeps its connection for the next).
    if (this.lanes > 1 && this.#lanes.some((l) => l.fullPacks > 0)) return fn();
    return this.#on(this.#lane(false), fn).run;
  }

  /** Chain `fn` on `lane`: `started` once the lane's requests before it have settled. */
  #on<T>(lane: Lane, fn: () => Promise<T>, fullPack = false): { started: Promise<void>; run: Promise<T> } {
    const started = lane.tail;
    const run = started.then(fn);
    lane.busy++;
    if (fullPack) lane.fullPacks++;
    lane.tail = run.then(
      () => undefined,
      () => undefined,
    ).finally(() => {
      lane.busy--;
      if (fullPack) lane.fullPacks--;
    });
    return { started, run };
  }

  /** A free lane; else, for a full pack while every lane carries one, a new lane (up to `lanes`); else the least busy. */
  #lane(fullPack: boolean): Lane {
    const free = this.#lanes.find((l) => l.busy === 0);
    if (free) return free;
    if (fullPack && this.#lanes.length < this.lanes && this.#lanes.every((l) => l.fullPacks > 0)) {
      const lane = { tail: Promise.resolve(), busy: 0, fullPacks: 0 };
      this.#lanes.push(lane);
      return lane;
    }
    return this.#lanes.reduce((a, b) => (b.busy < a.busy ? b : a));
  }

  /** Send a pack on a lane; wait until it starts (at most one waits per lane meanwhile). */
  async #enqueue(pack: Queued[], full: boolean): Promise<void> {
    const { started, run } = this.#on(this.#lane(full), () => (this.#failed ? Promise.resolve() : this.#sendPack(pack)), full);
    const settled: Promise<void> = run.then(
      () => void this.#underWay.delete(settled),
      (err: unknown) => {
        this.#failed ??= { err };
        this.#underWay.delete(settled);
      },
    );
    this.#underWay.add(settled);
    await started;
    if (this.#failed) throw this.#failed.err; // as soon as the caller adds more: stop reading
  }

  async #sendPack(pack: Queued[]): Promise<void> {
    if (this.#packs) {
      const entries = pack.map((q) => q.entry);
      try {
        await this.api.putPackEntries!(entries, this.#announce(pack));
        this.stats.blockWireBytesSent += entryPackBytes(entries, 'lean');
        this.stats.deltasSent += pack.filter((q) => q.entry.encoding === 'zstd-delta').length;
        for (const q of pack) this.onSent?.(q.bytes.byteLength);
        // Its memory back now, not at V8's next collection for external memory: the next pack then
        // reuses warm pages (a new 100 MiB file: the sending agent's page faults ~25 k -> ~5 k, its CPU -25 %).
        release(pack);
        return;
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        // A base gone, a body the server decodes differently, a server that reads CFE1 packs only
        // (invalid_pack): each block on its own, which handles all three.
        if (err.code === 'base_not_found' || err.code === 'invalid_encoding' || err.code === 'invalid_pack') {
          /* below */
        } else if (err.status === 404 || err.status === 405) this.#packs = false; // no such route: an older server
        else throw err;
      }
    }
    for (const q of pack) await this.send(q.hash, q.bytes, q.offset);
    release(pack);
  }

  /** Announce this file's packs when it is at least `minSize` (its upload takes long enough that
   *  another device fetching beside it gains) and new, or nearly (WireOptions.announce). */
  announceIfBig(size: number, minSize: number): void {
    const a = this.wire.announce;
    if (a && size >= minSize && a.baseSize <= size * NEARLY_NEW) this.announcing = size;
  }

  /** The announcement of a pack of a big new file: when its blocks follow each other in the file (none skipped: the server had it). */
  #announce(pack: readonly Queued[]): PackAnnounce | undefined {
    const file = this.wire.announce;
    if (file === undefined || this.announcing === undefined || pack.length === 0) return undefined;
    for (let i = 1; i < pack.length; i++) if (pack[i - 1]!.offset + pack[i - 1]!.bytes.byteLength !== pack[i]!.offset) return undefined;
    return { file: file.path, size: this.announcing, offset: pack[0]!.offset };
  }

  /** Keep a block's plaintext as the base of a later delta (every block of the file read, sent or not). */
  async remember(hash: string, bytes: Uint8Array): Promise<void> {
    await this.wire.cache?.put(hash, bytes);
  }

  /** Keep the file's block list: the next edit finds its bases without asking the server. */
  async rememberList(blocks: readonly BlockRef[]): Promise<void> {
    await this.wire.cache?.putList?.(blocks);
  }

  /** PUT one block found at `offset` of the file. */
  async send(hash: string, bytes: Uint8Array, offset: number): Promise<void> {
    let enc = this.#encoded ? await encodeBlock(bytes, await this.#base(hash, offset, bytes.byteLength)) : undefined;
    while (enc && this.#encoded) {
      try {
        await this.api.putBlockEncoded!(hash, enc.body, { encoding: enc.encoding, size: bytes.byteLength, ...(enc.bases ? { base: enc.bases.join(',') } : {}) });
        this.#count(enc.body.byteLength, enc);
        this.onSent?.(bytes.byteLength);
        return;
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        if (err.code === 'base_not_found') enc = await compressed(bytes); // the base is gone (or never readable): without it
        else if (err.code === 'invalid_encoding') enc = undefined; // the server decodes differently: raw is always understood
        else if (err.status === 404 || err.status === 405) this.#encoded = false; // no such route: an older server
        else throw err;
      }
    }
    await this.api.putBlock(hash, bytes);
    this.#count(bytes.byteLength, undefined);
    this.onSent?.(bytes.byteLength);
  }

  #count(wireBytes: number, enc: EncodedBlock | undefined): void {
    this.stats.blockWireBytesSent += wireBytes;
    if (enc?.encoding === 'zstd-delta') this.stats.deltasSent++;
  }

  /**
   * The dictionary of a delta: the replaced version's blocks near [offset, offset + size) — the
   * window widened by half the block each way, as content moves when bytes are inserted or
   * removed — whose plaintext is cached, at most MAX_DELTA_BASES within DELTA_DICTIONARY_BYTES,
   * joined with the most overlapping last.
   */
  async #base(hash: string, offset: number, size: number): Promise<{ hashes: string[]; bytes: Buffer } | undefined> {
    const { cache, baseBlocks, baseContentHash } = this.wire;
    if (!cache || !baseBlocks) return undefined;
    const known = async () => (baseContentHash ? await cache.getList?.(baseContentHash) : undefined) ?? (await baseBlocks());
    this.#bases ??= known().then(
      (list) => {
        let at = 0;
        return (list ?? []).map((b) => ({ hash: b.hash, offset: at, end: (at += b.size) }));
      },
      () => [], // no list, no deltas: the upload itself goes on
    );
    const [from, to] = [offset - size / 2, offset + size + size / 2];
    // Ranked by overlap with the block's own range first: a large neighbour can overlap the widened
    // window more than the block at the same place does, and alone fill the dictionary.
    const near = (await this.#bases)
      .map((b) => ({ ...b, own: Math.max(0, Math.min(offset + size, b.end) - Math.max(offset, b.offset)), overlap: Math.min(to, b.end) - Math.max(from, b.offset) }))
      .filter((b) => b.overlap > 0 && b.hash !== hash)
      .sort((a, b) => b.own - a.own || b.overlap - a.overlap);
    const chosen: { hash: string; bytes: Buffer }[] = [];
    let bytes = 0;
    for (const b of near) {
      if (chosen.length === MAX_DELTA_BASES) break;
      if (chosen.some((c) => c.hash === b.hash)) continue;
      const got = await cache.get(b.hash);
      if (!got) continue;
      // zstd uses the last DELTA_DICTIONARY_BYTES of a dictionary: past it, a further base would push out a better one.
      if (chosen.length > 0 && bytes + got.byteLength > DELTA_DICTIONARY_BYTES) break;
      chosen.push({ hash: b.hash, bytes: got });
      bytes += got.byteLength;
    }
    // The best base last, nearest the block (a block starting with zstd's dictionary magic cannot start the dictionary).
    const ordered = chosen.reverse();
    if (ordered.length === 0 || !usableDeltaBase(ordered[0]!.bytes)) return undefined;
    return { hashes: ordered.map((c) => c.hash), bytes: Buffer.concat(ordered.map((c) => c.bytes)) };
  }
}

/**
 * Free what a pack's blocks held once they are on the server: the encoded bodies (made here) and
 * the blocks given away. Left to V8, a big file's chunks (its whole size again) were freed only by
 * collections for external memory, ~64 MiB apart: a new 100 MiB file cost the sending agent ~4 full
 * collections.
 */
function release(pack: readonly Queued[]): void {
  for (const q of pack) {
    if (q.entry.body !== q.bytes) releaseMemory(q.entry.body);
    if (q.owned) releaseMemory(q.bytes);
  }
}
