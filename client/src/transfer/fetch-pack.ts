/**
 * A fetched pack as `POST /blocks/fetch` streams it (@coffer/protocol PACK_MAGIC, PACK_END): read
 * as it arrives, each block checked against its SHA-256 before it is handed out, and the end entry
 * required — without it the answer was cut short, and what came so far is not the whole answer.
 */
import { MAX_BLOCK_BYTES, PACK_END, PACK_ENTRY_HEADER_BYTES, PACK_MAGIC } from '@coffer/protocol';
import { releaseMemory } from '@coffer/storage-engine/memory';
import { sha256Hex } from './blocks.js';

export interface FetchedBlock {
  hash: string;
  bytes: Buffer;
}

export class DamagedPackError extends Error {}

/**
 * `ownsChunks`: the pieces of `body` are the reader's to free once read (an HTTP answer's: each
 * its own buffer, read by no one else). A 100 MiB file arrives as ~6,400 pieces of 16 KiB; left
 * to V8, they were freed only by collections for external memory, one every ~20 MiB.
 */
export async function* readFetchedPack(body: AsyncIterable<Uint8Array>, ownsChunks = false): AsyncGenerator<FetchedBlock> {
  // Each block is copied once, from the pieces straight into a buffer of its own size (the
  // block handed out). Joining pieces first and copying the block out of the join copied every
  // byte twice, and left a join per block for the collector to free.
  const small = Buffer.alloc(PACK_ENTRY_HEADER_BYTES);
  let state: 'magic' | 'header' | 'entry' | 'ended' = 'magic';
  let need = PACK_MAGIC.byteLength;
  let filled = 0;
  let entry = small;
  let hash = '';
  for await (const chunk of body) {
    const piece = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let at = 0;
    while (at < piece.byteLength) {
      if (state === 'ended') throw new DamagedPackError('bytes after the end of a fetched pack');
      const n = Math.min(need - filled, piece.byteLength - at);
      piece.copy(entry, filled, at, at + n);
      filled += n;
      at += n;
      if (filled < need) break;
      filled = 0;
      if (state === 'magic') {
        if (!small.subarray(0, need).equals(PACK_MAGIC)) throw new DamagedPackError('a fetched pack does not start with CFP1');
        state = 'header';
        need = PACK_ENTRY_HEADER_BYTES;
      } else if (state === 'header') {
        const length = small.readUInt32BE(32);
        if (length === 0) {
          if (!small.equals(PACK_END)) throw new DamagedPackError('a fetched pack has an entry of length 0');
          state = 'ended';
          continue;
        }
        if (length > MAX_BLOCK_BYTES) throw new DamagedPackError(`a fetched pack has an entry of ${length} bytes`);
        hash = small.toString('hex', 0, 32);
        state = 'entry';
        need = length;
        entry = Buffer.allocUnsafeSlow(length);
      } else {
        const bytes = entry;
        if (sha256Hex(bytes) !== hash) throw new DamagedPackError(`block ${hash} arrived damaged; try again`);
        state = 'header';
        need = PACK_ENTRY_HEADER_BYTES;
        entry = small;
        yield { hash, bytes };
      }
    }
    // Every byte of it is copied out by now (into `small` or a block of its own).
    if (ownsChunks) releaseMemory(piece);
  }
  if (state !== 'ended') throw new DamagedPackError('the fetched pack was cut short; try again');
}
