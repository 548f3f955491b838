import { createHash } from 'node:crypto';
import type { BlockStore, PutOptions } from './block-store.js';
import { chunkStream, type ChunkerOptions } from './chunker.js';
import { InvalidArgumentError } from './errors.js';

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

  async write(namespace: string, source: AsyncIterable<Uint8Array>, putOpts: PutOptions = {}): Promise<WrittenFile> {
    const blocks: FileBlock[] = [];
    const window: Promise<unknown>[] = [];
    let offset = 0;
    let newBytes = 0;
    let failure: unknown;
    const chunks = chunkStream(source, this.opts.chunker);
    for (;;) {
      const t0 = process.hrtime.bigint();
      const next = await chunks.next();
      this.blocks.timer.add('chunk', Number(process.hrtime.bigint() - t0));
      if (next.done) break;
      const chunk = next.value;
      const entry: FileBlock = { key: '', hash: '', size: chunk.byteLength, offset };
      blocks.push(entry);
      offset += chunk.byteLength;
      const p = this.blocks.put(namespace, chunk, putOpts).then(
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
      if (failure) break;
    }
    if (failure) await chunks.return(undefined);
    await Promise.all(window);
    if (failure) throw failure;
    const listHash = createHash('sha256');
    for (const b of blocks) listHash.update(Buffer.from(b.hash, 'hex'));
    return { size: offset, blocks, contentHash: listHash.digest('hex'), newBytes };
  }

  /** The bytes of a file (or of [start, end) of it), reading only the blocks that cover them. */
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
    const fill = () => {
      while (pending.length < this.readAhead && next < wanted.length) {
        const p = this.blocks.get(wanted[next++]!.key);
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
