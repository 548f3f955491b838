/**
 * The body of `POST /blocks/pack` (shapes/batch.ts `PACK_MAGIC`), written once for every client
 * and read once for every receiver: the magic, then per block its SHA-256 (32 raw bytes), length
 * (u32 big-endian) and bytes. Browser-safe (Uint8Array and DataView only): the CLI, the sync agent
 * and the web app's folder upload send the very same bytes; the server and the simulation's model
 * server read them with `decodePack`.
 */
import { MAX_BLOCK_BYTES, bytesToHex, hexToBytes } from './blocks.js';
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

/** Why a pack body is refused: `message` says what, the receiver adds what it then did (stored nothing). */
export interface PackFault {
  code: 'invalid_pack' | 'hash_mismatch';
  message: string;
  details: Record<string, unknown>;
}

/** Every entry of a pack body, each checked against its SHA-256 (`sha256Hex`), or the first fault; nothing of a refused body is returned. */
export function decodePack(data: Uint8Array, sha256Hex: (bytes: Uint8Array) => string): { entries: PackBlock[] } | { fault: PackFault } {
  const invalid = (message: string, details: Record<string, unknown> = {}) => ({ fault: { code: 'invalid_pack' as const, message, details } });
  if (data.byteLength < PACK_MAGIC.byteLength || PACK_MAGIC.some((b, i) => data[i] !== b)) return invalid('the body does not start with CFP1');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const entries: PackBlock[] = [];
  let at = PACK_MAGIC.byteLength;
  while (at < data.byteLength) {
    const index = entries.length;
    if (index >= MAX_PACK_BLOCKS) return invalid(`more than ${MAX_PACK_BLOCKS} entries`, { maxBlocks: MAX_PACK_BLOCKS });
    if (data.byteLength - at < PACK_ENTRY_HEADER_BYTES) return invalid(`entry ${index} is cut short in its header`, { entry: index, offset: at });
    const hash = bytesToHex(data.subarray(at, at + 32));
    const length = view.getUint32(at + 32);
    if (length === 0 || length > MAX_BLOCK_BYTES) return invalid(`entry ${index} has length ${length} (1..${MAX_BLOCK_BYTES})`, { entry: index, length });
    const start = at + PACK_ENTRY_HEADER_BYTES;
    if (data.byteLength - start < length) return invalid(`entry ${index} is cut short: ${data.byteLength - start} of ${length} bytes`, { entry: index, offset: at });
    const bytes = data.subarray(start, start + length);
    const actual = sha256Hex(bytes);
    if (actual !== hash) return { fault: { code: 'hash_mismatch', message: `entry ${index}'s bytes do not hash to its SHA-256`, details: { entry: index, expected: hash, actual } } };
    entries.push({ hash, bytes });
    at = start + length;
  }
  return { entries };
}
