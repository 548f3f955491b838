/**
 * The body of `POST /blocks/pack/entries` (issue 21): the changed blocks of a file — or of many
 * small files — in one request, each entry in its own wire form: raw, zstd, or a zstd delta
 * against base blocks the server has (the forms of `PUT /blocks/{sha256}/encoded`). One request
 * instead of one per block saves its headers, and keeps the upload on one connection.
 *
 * `ENTRY_PACK_MAGIC` ('CFE1'), then per entry: SHA-256 of the plaintext (32 raw bytes), plaintext
 * length (u32 BE), encoding (u8: 0 raw, 1 zstd, 2 zstd-delta), number of bases (u8, 1..3 with
 * zstd-delta, else 0), the bases' SHA-256s (32 bytes each, dictionary order), body length (u32
 * BE), body.
 *
 * `ENTRY_PACK_LEAN_MAGIC` ('CFE2'), the form the agent sends: the same entries without their
 * SHA-256 and with shorter framing — per entry one byte (encoding in its low two bits, the number of
 * bases above them), the plaintext length (unsigned LEB128), the bases (32 bytes each), the body
 * length (LEB128; absent when raw: it is the plaintext length), the body. The receiver hashes what
 * it decodes, as it did to check the hash a CFE1 entry names: 4 bytes of framing a raw block instead
 * of 42 (~570 bytes less for a 17 MiB file's 15 blocks, issue 21). Browser-safe (Uint8Array and
 * DataView only).
 */
import { MAX_BLOCK_BYTES, bytesToHex, hexToBytes } from './blocks.js';
import { MAX_PACK_BLOCKS, MAX_PACK_BYTES } from './limits.js';
import { MAX_DELTA_BASES, type BlockEncoding } from './shapes/wire.js';

export const ENTRY_PACK_MAGIC = Uint8Array.from([0x43, 0x46, 0x45, 0x31]); // 'CFE1'
export const ENTRY_PACK_LEAN_MAGIC = Uint8Array.from([0x43, 0x46, 0x45, 0x32]); // 'CFE2'
/** 'full': CFE1, each entry naming its SHA-256; 'lean': CFE2, none (the receiver hashes). */
export type EntryPackForm = 'full' | 'lean';
const CODES = ['identity', 'zstd', 'zstd-delta'] as const;
export type EntryEncoding = BlockEncoding | 'identity';

export interface PackEntryOnWire {
  /** SHA-256 of the plaintext (hex, any case). */
  hash: string;
  /** The plaintext length: the decoder's bound. */
  size: number;
  encoding: EntryEncoding;
  /** With 'zstd-delta' only: the bases' SHA-256s, in dictionary order. */
  bases?: readonly string[];
  body: Uint8Array;
}

/** An entry as a receiver reads it: a lean (CFE2) one names no SHA-256. */
export type DecodedPackEntry = Omit<PackEntryOnWire, 'hash'> & { hash?: string };

/** Bytes of `n` as unsigned LEB128. */
const leb128Bytes = (n: number): number => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);

function putLeb128(out: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[at++] = n;
  return at;
}

/** Bytes an entry takes besides its body. */
export function entryOverhead(e: Pick<PackEntryOnWire, 'bases' | 'size' | 'encoding'> & { body?: Uint8Array }, form: EntryPackForm = 'full'): number {
  const bases = 32 * (e.bases?.length ?? 0);
  if (form === 'full') return 32 + 4 + 1 + 1 + bases + 4;
  return 1 + leb128Bytes(e.size) + bases + (e.encoding === 'identity' ? 0 : leb128Bytes(e.body?.byteLength ?? 0xffffffff));
}

/** Bytes of the entry pack of `entries`: its Content-Length. */
export const entryPackBytes = (entries: readonly PackEntryOnWire[], form: EntryPackForm = 'full'): number =>
  ENTRY_PACK_MAGIC.byteLength + entries.reduce((n, e) => n + entryOverhead(e, form) + e.body.byteLength, 0);

/**
 * The entry pack of `entries` as the pieces a sender writes one after the other: the magic and
 * each entry's framing (small), each body as it is (not copied). A 16 MiB pack joined into one
 * buffer cost a sending agent a 16 MiB allocation and copy per pack, and Node's TLS socket
 * another when it wrote the request's head with it (~80 ms of CPU per 100 MiB sent, here).
 */
export function entryPackPieces(entries: readonly PackEntryOnWire[], form: EntryPackForm = 'full'): Uint8Array[] {
  if (form === 'lean') return leanPieces(entries);
  const pieces: Uint8Array[] = [ENTRY_PACK_MAGIC];
  for (const e of entries) {
    const bases = e.bases ?? [];
    const head = new Uint8Array(entryOverhead(e));
    const view = new DataView(head.buffer);
    head.set(hexToBytes(e.hash), 0);
    view.setUint32(32, e.size);
    head[36] = CODES.indexOf(e.encoding);
    head[37] = bases.length;
    bases.forEach((b, i) => head.set(hexToBytes(b), 38 + 32 * i));
    view.setUint32(head.byteLength - 4, e.body.byteLength);
    pieces.push(head, e.body);
  }
  return pieces;
}

function leanPieces(entries: readonly PackEntryOnWire[]): Uint8Array[] {
  const pieces: Uint8Array[] = [ENTRY_PACK_LEAN_MAGIC];
  for (const e of entries) {
    const bases = e.bases ?? [];
    const head = new Uint8Array(entryOverhead(e, 'lean'));
    head[0] = CODES.indexOf(e.encoding) | (bases.length << 2);
    let at = putLeb128(head, 1, e.size);
    for (const b of bases) {
      head.set(hexToBytes(b), at);
      at += 32;
    }
    if (e.encoding !== 'identity') putLeb128(head, at, e.body.byteLength);
    pieces.push(head, e.body);
  }
  return pieces;
}

/** The entry pack of `entries` in one buffer. */
export function encodeEntryPack(entries: readonly PackEntryOnWire[], form: EntryPackForm = 'full'): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(entryPackBytes(entries, form));
  let at = 0;
  for (const piece of entryPackPieces(entries, form)) {
    out.set(piece, at);
    at += piece.byteLength;
  }
  return out;
}

type Decoded = { entries: DecodedPackEntry[] } | { fault: string; details: Record<string, unknown> };
const fault = (why: string, details: Record<string, unknown> = {}) => ({ fault: why, details });

/** An entry's framing as read, before its checks; undefined when the data ends inside it. */
interface Head {
  hash?: string;
  size: number;
  code: number;
  bases: string[];
  /** The body's length (a lean raw entry: its size). */
  length: number;
  /** Where the body starts. */
  body: number;
}

/**
 * Every entry of an entry pack, or why it is refused (nothing of it is to be stored then). Checks
 * the framing and bounds only: the receiver decodes each body (at most `size` bytes) and checks
 * its SHA-256. The plaintexts add up to at most MAX_PACK_BYTES, what a raw pack may carry, so a
 * pack of deltas cannot make the receiver hold more than that.
 */
export function decodeEntryPack(data: Uint8Array): Decoded {
  const starts = (magic: Uint8Array) => data.byteLength >= magic.byteLength && magic.every((b, i) => data[i] === b);
  if (starts(ENTRY_PACK_LEAN_MAGIC)) return decodeEntries(data, leanHead);
  if (!starts(ENTRY_PACK_MAGIC)) return fault('the body does not start with CFE1 or CFE2');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return decodeEntries(data, (at) => fullHead(data, view, at));
}

function decodeEntries(data: Uint8Array, head: (at: number, data: Uint8Array) => Head | undefined): Decoded {
  const entries: DecodedPackEntry[] = [];
  let plain = 0;
  let at = ENTRY_PACK_MAGIC.byteLength;
  while (at < data.byteLength) {
    const entry = entries.length;
    if (entry >= MAX_PACK_BLOCKS) return fault(`more than ${MAX_PACK_BLOCKS} entries`, { maxBlocks: MAX_PACK_BLOCKS });
    const h = head(at, data);
    if (!h) return fault(`entry ${entry} is cut short in its header`, { entry });
    const { size, length, bases } = h;
    const encoding = CODES[h.code];
    const n = bases.length;
    if (size === 0 || size > MAX_BLOCK_BYTES) return fault(`entry ${entry} has size ${size} (1..${MAX_BLOCK_BYTES})`, { entry, size });
    if ((plain += size) > MAX_PACK_BYTES) return fault(`the blocks add up to more than ${MAX_PACK_BYTES} bytes`, { entry, maxBytes: MAX_PACK_BYTES });
    if (!encoding) return fault(`entry ${entry} has an unknown encoding ${h.code}`, { entry });
    if (encoding === 'zstd-delta' ? n < 1 || n > MAX_DELTA_BASES : n !== 0) return fault(`entry ${entry} has ${n} bases with ${encoding}`, { entry });
    if (length === 0 || length > MAX_BLOCK_BYTES || (encoding === 'identity' && length !== size)) return fault(`entry ${entry} has a body of ${length} bytes`, { entry, length });
    if (data.byteLength - h.body < length) return fault(`entry ${entry} is cut short: ${data.byteLength - h.body} of ${length} bytes`, { entry });
    const hash = h.hash !== undefined ? { hash: h.hash } : {};
    entries.push({ ...hash, size, encoding, ...(n > 0 ? { bases } : {}), body: data.subarray(h.body, h.body + length) });
    at = h.body + length;
  }
  return { entries };
}

/** A CFE1 entry's framing: hash, size (u32 BE), encoding, number of bases, the bases, body length (u32 BE). */
function fullHead(data: Uint8Array, view: DataView, at: number): Head | undefined {
  if (data.byteLength - at < 38) return undefined;
  const n = data[at + 37]!;
  if (data.byteLength - at < 38 + 32 * n + 4) return undefined;
  const bases = Array.from({ length: n }, (_, i) => bytesToHex(data.subarray(at + 38 + 32 * i, at + 70 + 32 * i)));
  const end = at + 38 + 32 * n;
  return { hash: bytesToHex(data.subarray(at, at + 32)), size: view.getUint32(at + 32), code: data[at + 36]!, bases, length: view.getUint32(end), body: end + 4 };
}

/** A CFE2 entry's framing: flags (encoding, number of bases), size (LEB128), the bases, body length (LEB128, absent when raw). */
function leanHead(at: number, data: Uint8Array): Head | undefined {
  const flags = data[at]!;
  const code = flags & 0x03;
  const n = flags >> 2;
  const sized = getLeb128(data, at + 1);
  if (!sized || data.byteLength - sized.end < 32 * n) return undefined;
  const bases = Array.from({ length: n }, (_, i) => bytesToHex(data.subarray(sized.end + 32 * i, sized.end + 32 * (i + 1))));
  const after = sized.end + 32 * n;
  if (code === 0) return { size: sized.value, code, bases, length: sized.value, body: after };
  const l = getLeb128(data, after);
  return l && { size: sized.value, code, bases, length: l.value, body: l.end };
}

/** Unsigned LEB128 at `at` (at most 5 bytes, below 2^32): the value and where it ends, or undefined when cut short or too long. */
function getLeb128(data: Uint8Array, at: number): { value: number; end: number } | undefined {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (at + i >= data.byteLength) return undefined;
    const b = data[at + i]!;
    value += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) return value < 2 ** 32 ? { value, end: at + i + 1 } : undefined;
  }
  return undefined;
}
