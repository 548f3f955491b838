/**
 * The block rules every side must agree on: how a block and a version's content are named, how
 * the chunker cuts (its parameters; the algorithm is the storage engine's), and how large a block
 * may be. Browser-safe: the content hash takes the SHA-256 it is given (node:crypto on servers and
 * the CLI, for speed) or uses Web Crypto.
 */
import { z } from 'zod';

/**
 * FastCDC's sizes (DESIGN §3): a cut is never before `minSize` (but the last block), sizes bunch
 * around `avgSize`, and no block is longer than `maxSize`. Client and server cut with the same
 * values so that equal bytes make equal blocks.
 */
export const CHUNKER_PARAMETERS: Readonly<{ minSize: number; avgSize: number; maxSize: number }> = Object.freeze({
  minSize: 256 * 1024,
  avgSize: 1024 * 1024,
  maxSize: 4 * 1024 * 1024,
});

/** The chunker never cuts a block longer than its maximum; a little slack lets a client whose
 *  chunker differs slightly still sync, while a PUT body stays a bounded few MiB in memory. */
export const MAX_BLOCK_BYTES = CHUNKER_PARAMETERS.maxSize + 64 * 1024;

/** A block's name: the SHA-256 of its plaintext, 64 hex digits; any case accepted, lowercase kept. */
export const Sha256Hex = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'must be a SHA-256 as 64 hex digits')
  .transform((h) => h.toLowerCase())
  .register(z.globalRegistry, { description: 'SHA-256 of the block’s plaintext, 64 hex digits (any case)' });

/** A SHA-256 as the server writes it in answers: lowercase hex. */
export const sha256Answer = () => z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase SHA-256');

export function isSha256Hex(value: string): boolean {
  return /^[0-9a-fA-F]{64}$/.test(value);
}

/** Hex digits to bytes; throws on anything that is not an even number of hex digits. */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error('not hex digits');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/**
 * What a version's content hash is taken over: each block's SHA-256 as 32 raw bytes, in file
 * order (not the hex text). A 10 GiB file of minimum-size blocks makes about 1.3 MB of it.
 */
export function contentHashInput(blocks: readonly { hash: string }[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(blocks.length * 32);
  blocks.forEach((b, i) => {
    if (!isSha256Hex(b.hash)) throw new Error(`block ${i} has no SHA-256: ${b.hash.slice(0, 80)}`);
    out.set(hexToBytes(b.hash), i * 32);
  });
  return out;
}

/**
 * A version's content hash: SHA-256 over its blocks' raw hashes in order. Equal content hashes
 * mean byte-identical files (the download ETag, sync's "already have it"). `sha256Hex` hashes
 * bytes to lowercase hex: node:crypto's on Node, for speed.
 */
export function contentHash(blocks: readonly { hash: string }[], sha256Hex: (bytes: Uint8Array) => string): string {
  return sha256Hex(contentHashInput(blocks));
}

/** The same with Web Crypto (browsers, and any runtime with `crypto.subtle`). */
export async function contentHashWebCrypto(blocks: readonly { hash: string }[]): Promise<string> {
  const input = contentHashInput(blocks);
  return bytesToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', input)));
}
