/**
 * A fetched pack as `POST /blocks/fetch` streams it (@coffer/protocol PACK_MAGIC, PACK_END): read
 * as it arrives, each block checked against its SHA-256 before it is handed out, and the end entry
 * required — without it the answer was cut short, and what came so far is not the whole answer.
 */
import { MAX_BLOCK_BYTES, PACK_END, PACK_ENTRY_HEADER_BYTES, PACK_MAGIC } from '@coffer/protocol';
import { sha256Hex } from './blocks.js';

export interface FetchedBlock {
  hash: string;
  bytes: Buffer;
}

export class DamagedPackError extends Error {}

export async function* readFetchedPack(body: AsyncIterable<Uint8Array>): AsyncGenerator<FetchedBlock> {
  // Pieces not yet used, joined only once they hold what is needed next (a header, or a whole
  // entry): a large block arriving in many pieces is copied once, not once per piece.
  let parts: Buffer[] = [];
  let have = 0;
  let need = PACK_MAGIC.byteLength;
  let state: 'magic' | 'header' | 'entry' | 'ended' = 'magic';
  let hash = '';
  const take = (n: number): Buffer => {
    const all = parts.length === 1 ? parts[0]! : Buffer.concat(parts, have);
    parts = all.byteLength > n ? [all.subarray(n)] : [];
    have -= n;
    return all.subarray(0, n);
  };
  for await (const piece of body) {
    if (state === 'ended' && piece.byteLength > 0) throw new DamagedPackError('bytes after the end of a fetched pack');
    parts.push(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength));
    have += piece.byteLength;
    while (state !== 'ended' && have >= need) {
      if (state === 'magic') {
        if (!take(need).equals(PACK_MAGIC)) throw new DamagedPackError('a fetched pack does not start with CFP1');
        state = 'header';
        need = PACK_ENTRY_HEADER_BYTES;
      } else if (state === 'header') {
        const header = take(need);
        const length = header.readUInt32BE(32);
        if (length === 0) {
          if (!header.equals(PACK_END)) throw new DamagedPackError('a fetched pack has an entry of length 0');
          if (have > 0) throw new DamagedPackError('bytes after the end of a fetched pack');
          state = 'ended';
          break;
        }
        if (length > MAX_BLOCK_BYTES) throw new DamagedPackError(`a fetched pack has an entry of ${length} bytes`);
        hash = header.toString('hex', 0, 32);
        state = 'entry';
        need = length;
      } else {
        // A copy: the joined buffer may hold the next entries too, and those pieces go on.
        const bytes = Buffer.from(take(need));
        if (sha256Hex(bytes) !== hash) throw new DamagedPackError(`block ${hash} arrived damaged; try again`);
        state = 'header';
        need = PACK_ENTRY_HEADER_BYTES;
        yield { hash, bytes };
      }
    }
  }
  if (state !== 'ended') throw new DamagedPackError('the fetched pack was cut short; try again');
}
