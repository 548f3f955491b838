/**
 * Many blocks in one answer (`POST /blocks/fetch`, issue 20): the download counterpart of a pack.
 * Which blocks the caller may read is decided as for GET /blocks/{sha256} (readable.ts): a block
 * belongs to a version of a file the caller can read, in their namespace or one shared with them;
 * anything else is left out of the answer exactly like a hash nobody has. The readability is
 * looked up in bulk (a statement per thousand keys and namespace, `can` once per file), then the
 * blocks are read from the engine a few ahead of the stream and written as a pack ended by PACK_END.
 */
import { MAX_FETCH_BYTES, PACK_END, PACK_ENTRY_HEADER_BYTES, PACK_MAGIC } from '@coffer/protocol';
import type { BlockRecord } from '@coffer/storage-engine';
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { PayloadTooLargeError } from '../http-errors.js';
import type { Storage } from '../storage.js';
import { findReadable, type ReadableBlock } from './readable.js';

export type { ReadableBlock };

/** Blocks read from the engine ahead of the one being written: keeps its threads and the nodes busy. */
const READ_AHEAD = 8;
/** Entries already read are written out together up to this many bytes. */
const CHUNK_BYTES = 64 * 1024;

/** The blocks among `hashes` (lowercase, each once, in order) the caller may read; the others are simply absent. */
export async function readableBlocks(db: Db, storage: Storage, user: AuthUser, hashes: readonly string[]): Promise<ReadableBlock[]> {
  const out = await findReadable(db, storage, user, hashes);
  const bytes = out.reduce((n, b) => n + b.size, 0);
  if (bytes > MAX_FETCH_BYTES) {
    throw new PayloadTooLargeError(`the blocks asked for add up to ${bytes} bytes, more than ${MAX_FETCH_BYTES}: ask for fewer at a time`, {
      code: 'fetch_too_large',
      details: { maxBytes: MAX_FETCH_BYTES },
    });
  }
  return out;
}

/**
 * The pack's length, known before a block is read: it goes as Content-Length, not chunked. Chunked,
 * each 64 KiB write carried its chunk framing (4,737 bytes of HTTP a 32 MiB answer, now 231 in
 * all), written as separate buffers that TLS gathers into a copy of the chunk. A read that fails
 * midway still cuts the answer short: the client finds it ended before its length and PACK_END
 * (test/fetch-cut.test.ts).
 */
export function packLength(list: readonly ReadableBlock[]): number {
  return PACK_MAGIC.byteLength + list.reduce((n, b) => n + PACK_ENTRY_HEADER_BYTES + b.size, 0) + PACK_END.byteLength;
}

/**
 * The pack's bytes: the magic, an entry per block (read a few ahead), then PACK_END. A failed read
 * ends the stream with an error (no PACK_END). Each block's bytes go out as they are (views, not
 * copies) and are handed to `handedOut`, which frees them once the answer has been written.
 */
export function packStream(storage: Storage, list: readonly ReadableBlock[], handedOut: (bytes: Uint8Array) => void = () => {}): ReadableStream<Uint8Array> {
  const reads: Promise<Uint8Array>[] = [];
  const ready: (Uint8Array | undefined)[] = [];
  let next = 0;
  let sent = 0;
  // The blocks' records in one metadata statement (a lookup per small block cost more than reading it).
  let records: Map<string, BlockRecord> | undefined;
  const fill = () => {
    while (next < list.length && next - sent < READ_AHEAD) {
      const at = next++;
      const key = list[at]!.key;
      // The client's pack reader checks each block's SHA-256 (fetch-pack.ts): here the GCM tag only.
      const p = storage.blocks.get(key, records?.get(key), { receiverChecksHash: true });
      p.then((b) => (ready[at] = b)).catch(() => undefined); // a failure is handled when its turn comes
      reads.push(p);
    }
  };
  /** The next block as an entry: its header and its bytes (a view of the engine's memory, not a copy). */
  const take = async (): Promise<Uint8Array[]> => {
    const b = list[sent]!;
    const read = ready[sent] ?? (await reads[sent]!);
    delete reads[sent];
    delete ready[sent];
    sent++;
    const header = Buffer.allocUnsafe(PACK_ENTRY_HEADER_BYTES);
    header.write(b.hash, 0, 'hex');
    header.writeUInt32BE(read.byteLength, 32);
    // Memory shared with the engine's worker threads is copied (it is reused); a block of our
    // own goes out as it is.
    const bytes = read.buffer instanceof SharedArrayBuffer ? Buffer.from(read) : read;
    handedOut(bytes);
    return [header, bytes];
  };
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const parts: Uint8Array[] = [];
      if (!started) {
        started = true;
        records = await storage.blocks.records(list.map((b) => b.key));
        parts.push(Buffer.from(PACK_MAGIC));
      }
      // Entries go out together, up to CHUNK_BYTES of those already read: a write (and a TLS
      // record) per small block made the socket writes the server's largest cost in a restore.
      let bytes = 0;
      fill();
      while (sent < list.length && (bytes === 0 || (bytes < CHUNK_BYTES && ready[sent] !== undefined))) {
        fill();
        for (const part of await take()) {
          parts.push(part);
          bytes += part.byteLength;
        }
      }
      if (sent === list.length) parts.push(Buffer.from(PACK_END));
      for (const chunk of inChunks(parts, CHUNK_BYTES)) controller.enqueue(chunk);
      if (sent === list.length) controller.close();
    },
  });
}

/**
 * `parts` as the stream's chunks, none larger than `max`: small parts joined, large ones cut
 * into views. A big block went out as one chunk (copied into an entry of its own before that):
 * each was fresh memory, and so was the buffer TLS gathers a chunked write's pieces into, every
 * page of it a fault (on this VM ~3.5 ms of CPU per MiB; bench:sync-client's 100 MiB file). A
 * chunk under malloc's mmap threshold (128 KiB at `npm start`) is warm heap memory instead.
 */
export function* inChunks(parts: readonly Uint8Array[], max: number): Generator<Uint8Array> {
  let group: Uint8Array[] = [];
  let size = 0;
  const flush = function* () {
    if (group.length > 0) yield group.length === 1 ? group[0]! : Buffer.concat(group, size);
    group = [];
    size = 0;
  };
  for (const part of parts) {
    for (let at = 0; at < part.byteLength; ) {
      const n = Math.min(max - size, part.byteLength - at);
      group.push(n === part.byteLength ? part : part.subarray(at, at + n));
      size += n;
      at += n;
      if (size === max) yield* flush();
    }
  }
  yield* flush();
}
