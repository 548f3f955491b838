import { createHash } from 'node:crypto';
import { contentHash } from '@coffer/protocol';
import type { BlockStore, PutOptions } from './block-store.js';
import type { BlockRecord } from '../metadata/metadata-port.js';
import { giveBlockMemory, takeBlockMemory, trimBlockMemory } from '../memory/block-memory.js';
import { chunkFills, isFillSource, type FillSource } from '../chunk/chunk-reader.js';
import { chunkStream, type ChunkerOptions } from '../chunk/chunker.js';
import { InvalidArgumentError } from '../errors.js';

/** Block records looked up at once by a read of many blocks. */
const RECORDS_AHEAD = 64;

/** Chunks are cut into block memory (each byte copied once) and given back once stored. */
const BLOCK_MEMORY = { take: takeBlockMemory, trim: trimBlockMemory, give: giveBlockMemory };

/** One block of a file version, in order. */
export interface FileBlock {
  key: string;
  /** Hex SHA-256 of the block's plaintext. */
  hash: string;
  size: number;
  /** Byte offset of the block in the file. */
  offset: number;
}

export interface WrittenFile {
  size: number;
  blocks: FileBlock[];
  /** Hex SHA-256 over the blocks' SHA-256s in order: the file's content hash without a second pass. */
  contentHash: string;
  /** Bytes of blocks this write stored anew (the rest were already in the namespace). */
  newBytes: number;
  /** With `holdLast`: the bytes after the last boundary, not stored (not counted in size). */
  rest?: Uint8Array;
}

export interface WriteOptions extends PutOptions {
  /** Return the last chunk unstored as `rest` (the stream is a piece of a longer file). */
  holdLast?: boolean;
  /** Told the stored prefix of blocks as it grows (every `checkpointBytes`), and once more
   *  when the write fails, so a resumable upload can record durable progress. */
  onCheckpoint?: (prefix: FileBlock[], bytes: number) => Promise<void>;
  checkpointBytes?: number;
}

export interface FileStoreOptions {
  chunker?: Partial<ChunkerOptions>;
  /** Blocks sealed and stored at once (memory: about 3× max chunk size each). */
  concurrency?: number;
  /** Blocks read ahead while streaming a file out. */
  readAhead?: number;
}

/**
 * Files as ordered block lists: a byte stream in, its blocks stored (deduplicated within the
 * namespace); a block list (and optional range) in, a byte stream out. Memory stays bounded by
 * the concurrency, never by the file's size.
 */
export class FileStore {
  private readonly concurrency: number;
  private readonly readAhead: number;

  constructor(
    readonly blocks: BlockStore,
    private readonly opts: FileStoreOptions = {},
  ) {
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.readAhead = Math.max(1, opts.readAhead ?? 3);
  }

  /**
   * Chunk a byte stream and store its blocks, `concurrency` at a time. With `holdLast` the final
   * chunk is not stored but returned as `rest`: the stream was only a piece of a file (a
   * resumable upload's PUT), so the bytes after the last content-defined boundary must be
   * chunked again together with what comes next, or boundaries would depend on piece sizes.
   * A FillSource (bytes read into memory it is given, as from a file) is chunked in place.
   */
  async write(namespace: string, source: AsyncIterable<Uint8Array> | FillSource, opts: WriteOptions = {}): Promise<WrittenFile> {
    const blocks: FileBlock[] = [];
    const window: Promise<unknown>[] = [];
    let offset = 0;
    let newBytes = 0;
    let failure: unknown;
    let held: Uint8Array | undefined;
    let checkpointed = 0;
    const every = opts.checkpointBytes ?? 32 * 1024 * 1024;
    const chunks = isFillSource(source) ? chunkFills(source, BLOCK_MEMORY, this.opts.chunker) : chunkStream(source, this.opts.chunker, BLOCK_MEMORY);
    const store = async (chunk: Uint8Array) => {
      const entry: FileBlock = { key: '', hash: '', size: chunk.byteLength, offset };
      blocks.push(entry);
      offset += chunk.byteLength;
      const p = this.blocks.put(namespace, chunk, opts).finally(() => giveBlockMemory(chunk)).then(
        (r) => {
          entry.key = r.key;
          entry.hash = r.hash;
          if (r.stored) newBytes += r.size;
        },
        (err: unknown) => {
          failure ??= err;
        },
      );
      window.push(p);
      if (window.length >= this.concurrency) await window.shift();
      // Every block before those still in the window is stored: that prefix is durable.
      const done = blocks.length - window.length;
      const doneBytes = done === blocks.length ? offset : blocks[done]!.offset;
      if (opts.onCheckpoint && !failure && doneBytes - checkpointed >= every) {
        checkpointed = doneBytes;
        await opts.onCheckpoint(blocks.slice(0, done), doneBytes);
      }
    };
    try {
      for (;;) {
        const t0 = process.hrtime.bigint();
        const next = await chunks.next();
        this.blocks.timer.add('chunk', Number(process.hrtime.bigint() - t0));
        if (next.done) break;
        const ready = held;
        held = next.value;
        // `held` never names a chunk already handed to store: its memory is given back from there.
        if (ready) await store(ready);
        if (failure) break;
      }
    } catch (err) {
      failure ??= err; // the source failed (e.g. the client went away): keep what is stored
    }
    if (failure) {
      if (held) giveBlockMemory(held);
      await chunks.return(undefined).catch(() => undefined);
      await Promise.all(window);
      let prefix = 0;
      while (prefix < blocks.length && blocks[prefix]!.key !== '') prefix++;
      if (opts.onCheckpoint && prefix > 0) {
        const bytes = blocks[prefix - 1]!.offset + blocks[prefix - 1]!.size;
        if (bytes > checkpointed) await opts.onCheckpoint(blocks.slice(0, prefix), bytes).catch(() => undefined);
      }
      throw failure;
    }
    let rest: Uint8Array | undefined;
    if (held && opts.holdLast) {
      // The caller keeps the rest past this call: a buffer of its own, not block memory.
      rest = Buffer.from(held);
      giveBlockMemory(held);
    } else if (held) await store(held);
    await Promise.all(window);
    if (failure) throw failure;
    // The protocol's content hash (SHA-256 over the raw block hashes in order), with node:crypto.
    const hash = contentHash(blocks, (bytes) => createHash('sha256').update(bytes).digest('hex'));
    return { size: offset, blocks, contentHash: hash, newBytes, ...(rest ? { rest } : {}) };
  }

  /** The bytes of a file (or of [start, end) of it), reading only the blocks that cover them.
   *  Each yielded buffer lies in memory of its own, shared with no other block and kept by no
   *  one here: a consumer done with it may free it at once (releaseMemory). */
  async *read(blocks: readonly Pick<FileBlock, 'key' | 'size'>[], range?: { start: number; end: number }): AsyncGenerator<Buffer> {
    const total = blocks.reduce((n, b) => n + b.size, 0);
    const start = range?.start ?? 0;
    const end = range?.end ?? total;
    if (start < 0 || end > total || start > end) {
      throw new InvalidArgumentError(`range ${start}-${end} is outside a file of ${total} bytes`);
    }
    const wanted: { key: string; from: number; to: number }[] = [];
    let offset = 0;
    for (const b of blocks) {
      const bEnd = offset + b.size;
      if (bEnd > start && offset < end) {
        wanted.push({ key: b.key, from: Math.max(0, start - offset), to: Math.min(b.size, end - offset) });
      }
      offset = bEnd;
    }
    const pending: Promise<Buffer>[] = [];
    let next = 0;
    // Records in windows of RECORDS_AHEAD, one metadata call each: looked up a block at a time, a
    // 1 GiB download spent ~10 % of the server's main thread in the embedded database.
    let window: { end: number; records: Promise<Map<string, BlockRecord>> } | undefined;
    const blockAt = (i: number): Promise<Buffer> => {
      const key = wanted[i]!.key;
      if (wanted.length === 1) return this.blocks.get(key); // shares a statement with other reads arriving together
      if (!window || i >= window.end) {
        const end = Math.min(wanted.length, i + RECORDS_AHEAD);
        window = { end, records: this.blocks.records(wanted.slice(i, end).map((w) => w.key)) };
      }
      return window.records.then((found) => this.blocks.get(key, found.get(key)));
    };
    const fill = () => {
      while (pending.length < this.readAhead && next < wanted.length) {
        const p = blockAt(next++);
        p.catch(() => {}); // observed when its turn comes; avoid an unhandled rejection meanwhile
        pending.push(p);
      }
    };
    for (const w of wanted) {
      fill();
      const block = await pending.shift()!;
      yield w.from === 0 && w.to === block.byteLength ? block : block.subarray(w.from, w.to);
    }
  }
}
