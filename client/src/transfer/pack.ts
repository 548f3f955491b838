/** A block pack as `POST /blocks/pack` takes it (@coffer/protocol PACK_MAGIC): the magic, then per block its SHA-256, length (u32 BE) and bytes. */
import { MAX_PACK_BLOCKS, MAX_PACK_BYTES, PACK_ENTRY_HEADER_BYTES, PACK_MAGIC } from '@coffer/protocol';

export interface PackBlock {
  hash: string;
  bytes: Uint8Array;
}

export function encodePack(blocks: readonly PackBlock[]): Buffer {
  const out = Buffer.allocUnsafe(PACK_MAGIC.byteLength + blocks.reduce((n, b) => n + PACK_ENTRY_HEADER_BYTES + b.bytes.byteLength, 0));
  out.set(PACK_MAGIC, 0);
  let at = PACK_MAGIC.byteLength;
  for (const b of blocks) {
    out.write(b.hash, at, 'hex');
    out.writeUInt32BE(b.bytes.byteLength, at + 32);
    out.set(b.bytes, at + PACK_ENTRY_HEADER_BYTES);
    at += PACK_ENTRY_HEADER_BYTES + b.bytes.byteLength;
  }
  return out;
}

/** Blocks grouped into packs the server takes (at most MAX_PACK_BYTES and MAX_PACK_BLOCKS each). */
export function packsOf(blocks: readonly PackBlock[]): PackBlock[][] {
  const packs: PackBlock[][] = [];
  let current: PackBlock[] = [];
  let bytes = PACK_MAGIC.byteLength;
  for (const b of blocks) {
    const size = PACK_ENTRY_HEADER_BYTES + b.bytes.byteLength;
    if (current.length > 0 && (bytes + size > MAX_PACK_BYTES || current.length >= MAX_PACK_BLOCKS)) {
      packs.push(current);
      current = [];
      bytes = PACK_MAGIC.byteLength;
    }
    current.push(b);
    bytes += size;
  }
  if (current.length > 0) packs.push(current);
  return packs;
}
