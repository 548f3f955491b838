/**
 * Many blocks in one answer (`POST /blocks/fetch`, issue 20): the download counterpart of a pack.
 * Which blocks the caller may read is decided as for GET /blocks/{sha256} (readable.ts): a block
 * belongs to a version of a file the caller can read, in their namespace or one shared with them;
 * anything else is left out of the answer exactly like a hash nobody has. The readability is
 * looked up in bulk (a statement per thousand keys and namespace, `can` once per file), then the
 * blocks are read from the engine a few ahead of the stream and written as a pack ended by PACK_END.
 */
import { MAX_FETCH_BYTES, PACK_END, PACK_ENTRY_HEADER_BYTES, PACK_MAGIC } from '@coffer/protocol';
import { releaseMemory, type BlockRecord } from '@coffer/storage-engine';
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

/** The pack's bytes: the magic, an entry per block (read a few ahead), then PACK_END. A failed read ends the stream with an error (no PACK_END). */
export function packStream(storage: Storage, list: readonly ReadableBlock[]): ReadableStream<Uint8Array> {
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
      const p = storage.blocks.get(key, records?.get(key));
      p.then((b) => (ready[at] = b)).catch(() => undefined); // a failure is handled when its turn comes
      reads.push(p);
    }
  };
  const take = async (): Promise<Buffer> => {
    const b = list[sent]!;
    const bytes = ready[sent] ?? (await reads[sent]!);
    delete reads[sent];
    delete ready[sent];
    sent++;
    const entry = Buffer.allocUnsafe(PACK_ENTRY_HEADER_BYTES + bytes.byteLength);
    entry.write(b.hash, 0, 'hex');
    entry.writeUInt32BE(bytes.byteLength, 32);
    // A copy: the engine's buffer may sit in memory shared with its worker threads. Otherwise it is
    // fresh memory of ours, freed now rather than at V8's next collection for external memory.
    entry.set(bytes, PACK_ENTRY_HEADER_BYTES);
    releaseMemory(bytes);
    return entry;
  };
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const parts: Buffer[] = [];
      if (!started) {
        started = true;
        records = await storage.blocks.records(list.map((b) => b.key));
        parts.push(Buffer.from(PACK_MAGIC));
      }
      // Entries go out together, up to CHUNK_BYTES of those already read: a write (and a TLS
      // record) per small block made the socket writes the server's largest cost in a restore.
      let bytes = 0;
      fill();
      while (sent < list.length && (parts.length === 0 || (bytes < CHUNK_BYTES && ready[sent] !== undefined))) {
        fill();
        const entry = await take();
        parts.push(entry);
        bytes += entry.byteLength;
      }
      if (sent === list.length) parts.push(Buffer.from(PACK_END));
      controller.enqueue(parts.length === 1 ? parts[0]! : Buffer.concat(parts));
      if (sent === list.length) controller.close();
    },
  });
}
