/**
 * The body of `POST /blocks/pack` (shapes/batch.ts `PACK_MAGIC`), written once for every client:
 * the magic, then per block its SHA-256 (32 raw bytes), length (u32 big-endian) and bytes.
 * Browser-safe (Uint8Array and DataView only): the CLI, the sync agent and the web app's folder
 * upload send the very same bytes.
 */
import { hexToBytes } from './blocks.js';
import { MAX_PACK_BLOCKS, MAX_PACK_BYTES } from './limits.js';
import { PACK_ENTRY_HEADER_BYTES, PACK_MAGIC } from './shapes/batch.js';

export interface PackBlock {
  /** Lowercase or uppercase hex SHA-256 of `bytes`. */
  hash: string;
  bytes: Uint8Array;
}

export function encodePack(blocks: readonly PackBlock[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(PACK_MAGIC.byteLength + blocks.reduce((n, b) => n + PACK_ENTRY_HEADER_BYTES + b.bytes.byteLength, 0));
  const view = new DataView(out.buffer);
  out.set(PACK_MAGIC, 0);
  let at = PACK_MAGIC.byteLength;
  for (const b of blocks) {
    out.set(hexToBytes(b.hash), at);
    view.setUint32(at + 32, b.bytes.byteLength);
    out.set(b.bytes, at + PACK_ENTRY_HEADER_BYTES);
    at += PACK_ENTRY_HEADER_BYTES + b.bytes.byteLength;
  }
  return out;
}

/** Blocks grouped into packs the server takes (at most MAX_PACK_BYTES and MAX_PACK_BLOCKS each). */
export function packsOf<B extends PackBlock>(blocks: readonly B[]): B[][] {
  const packs: B[][] = [];
  let current: B[] = [];
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
