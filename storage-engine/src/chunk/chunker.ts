/**
 * FastCDC content-defined chunking (gear rolling hash, normalised chunking).
 *
 * A cut may fall after byte i when the gear hash h there, read as unsigned, is below a
 * threshold: a stricter one while the chunk is shorter than avgSize, a looser one after, so
 * sizes bunch around avgSize. h = (h << 1) + GEAR[byte] in 32 bits, so h depends on exactly the
 * last 32 bytes. Hashing starts 32 bytes before minSize, so every cut test is a pure function of
 * the 32 bytes before the candidate: an insert moves the cuts near it and no others, and the
 * boundaries never depend on how the input was split into pieces. Every byte position is a
 * candidate (testing only every 4th would tie cuts to offsets mod 4, and a 1-byte insert would
 * then move every later cut); speed comes from reading 32-bit words and testing eight hashes with
 * one branch instead (see scan).
 * With min = avg/4 the mean chunk comes out near 1.15 x avgSize.
 */
import { CHUNKER_PARAMETERS } from '@coffer/protocol';
import { InvalidArgumentError } from '../errors.js';
import { GEAR } from './gear-table.js';
import { native } from '../native.js';

export interface ChunkerOptions {
  minSize: number;
  avgSize: number;
  maxSize: number;
}

/** The protocol's parameters: client and server must cut alike, so they are part of the wire contract. */
export const DEFAULT_CHUNKER_OPTIONS: ChunkerOptions = Object.freeze({ ...CHUNKER_PARAMETERS });

/** Bytes the gear hash depends on; hashing starts this far before minSize. */
const WINDOW = 32;
const MIN_MIN_SIZE = 2 * WINDOW;
const MAX_MAX_SIZE = 1 << 30;

/** Validated sizes plus the cut thresholds (unsigned h below them cuts). */
interface Params {
  min: number;
  avg: number;
  max: number;
  /** Before avgSize: probability 1/(4·avg) per byte (FastCDC normalisation level 2). */
  strict: number;
  /** From avgSize on: probability 4/avg per byte. */
  loose: number;
}

function resolve(opts: Partial<ChunkerOptions> | undefined): Params {
  const min = opts?.minSize ?? DEFAULT_CHUNKER_OPTIONS.minSize;
  const avg = opts?.avgSize ?? DEFAULT_CHUNKER_OPTIONS.avgSize;
  const max = opts?.maxSize ?? DEFAULT_CHUNKER_OPTIONS.maxSize;
  for (const [name, v] of [['minSize', min], ['avgSize', avg], ['maxSize', max]] as const) {
    if (!Number.isSafeInteger(v)) throw new InvalidArgumentError(`chunker ${name} must be an integer, got ${v}`);
  }
  if (min < MIN_MIN_SIZE) throw new InvalidArgumentError(`chunker minSize must be at least ${MIN_MIN_SIZE}, got ${min}`);
  if (max > MAX_MAX_SIZE) throw new InvalidArgumentError(`chunker maxSize must be at most ${MAX_MAX_SIZE}, got ${max}`);
  if (!(min <= avg && avg <= max)) {
    throw new InvalidArgumentError(`chunker sizes must satisfy min <= avg <= max, got ${min} / ${avg} / ${max}`);
  }
  // Thresholds instead of bit masks, so any avgSize works, not just powers of two.
  return { min, avg, max, strict: Math.floor(2 ** 30 / avg), loose: Math.floor(2 ** 34 / avg) };
}

/** Word reads below assume little-endian byte order; elsewhere the byte loop alone runs. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Second result of scanBytes/scan when no cut was found: the hash after the last byte. */
let scanHash = 0;

/** Hash d[i..stop) into h byte by byte; return the index just past the first byte after which h < t (unsigned), or -1. */
function scanBytes(d: Uint8Array, i: number, stop: number, h: number, t: number): number {
  const g = GEAR;
  while (i < stop) {
    h = ((h << 1) + g[d[i]!]!) | 0;
    i++;
    if (h >>> 0 < t) return i;
  }
  scanHash = h;
  return -1;
}

/** Ranges at least this long go to the C addon (~1.3x this loop's speed; a call costs ~0.1 µs). */
const NATIVE_MIN = 4096;

/**
 * Same result as scanBytes, faster (the C addon's loop, when it loaded, faster still): reads two aligned 32-bit words at a time and tests the eight
 * hashes with one branch. h < t (unsigned) implies clz32(h) >= clz32(t - 1), and the OR of eight
 * leading-zero counts is at least each of them, so OR-ing them is a cheap test that never misses
 * a cut (it fires falsely only when some hash has 16 or more leading zeros, ~1 in 8,000 groups);
 * when it fires the byte loop decides exactly. Half the operations of comparing each hash.
 */
function scan(d: Uint8Array, i: number, stop: number, h: number, t: number): number {
  if (native && stop - i >= NATIVE_MIN) {
    const r = native.gearScan(d, i, stop, h, t);
    if (r >= 0) return r;
    scanHash = (-1 - r) | 0;
    return -1;
  }
  if (!LITTLE_ENDIAN || stop - i < 64) return scanBytes(d, i, stop, h, t);
  const g = GEAR;
  while (((d.byteOffset + i) & 3) !== 0) {
    h = ((h << 1) + g[d[i]!]!) | 0;
    i++;
    if (h >>> 0 < t) return i;
  }
  const need = Math.clz32(t - 1);
  const clz = Math.clz32;
  const words = ((stop - i) >> 3) << 1;
  const w32 = new Uint32Array(d.buffer, d.byteOffset + i, words);
  for (let k = 0; k < words; k += 2) {
    const w = w32[k]!;
    const v = w32[k + 1]!;
    const h1 = ((h << 1) + g[w & 255]!) | 0;
    const h2 = ((h1 << 1) + g[(w >>> 8) & 255]!) | 0;
    const h3 = ((h2 << 1) + g[(w >>> 16) & 255]!) | 0;
    const h4 = ((h3 << 1) + g[w >>> 24]!) | 0;
    const h5 = ((h4 << 1) + g[v & 255]!) | 0;
    const h6 = ((h5 << 1) + g[(v >>> 8) & 255]!) | 0;
    const h7 = ((h6 << 1) + g[(v >>> 16) & 255]!) | 0;
    const h8 = ((h7 << 1) + g[v >>> 24]!) | 0;
    if ((clz(h1) | clz(h2) | clz(h3) | clz(h4) | clz(h5) | clz(h6) | clz(h7) | clz(h8)) >= need) {
      const cut = scanBytes(d, i + 4 * k, i + 4 * k + 8, h, t);
      if (cut >= 0) return cut;
    }
    h = h8;
  }
  return scanBytes(d, i + 4 * words, stop, h, t);
}

/** Scan state to resume from when advance returns -1. */
let nextPos = 0;
let nextHash = 0;

/**
 * Continue the cut search of the chunk that starts at `start` (may be negative: the chunk began
 * in an earlier piece) from byte `pos` with hash `h`, using bytes up to `end`. Returns the chunk
 * length, or -1 when the bytes so far hold no cut (nextPos/nextHash then say where to resume).
 */
function advance(d: Uint8Array, start: number, pos: number, h: number, end: number, p: Params): number {
  const firstTest = start + p.min - 1; // index of the last byte of a minSize chunk
  const looseFrom = start + p.avg - 1;
  const last = start + p.max - 1;
  if (pos < firstTest) {
    const g = GEAR;
    const stop = Math.min(end, firstTest);
    for (; pos < stop; pos++) h = ((h << 1) + g[d[pos]!]!) | 0;
    if (pos < firstTest) return pause(pos, h);
  }
  if (pos < looseFrom) {
    const stop = Math.min(end, looseFrom);
    const cut = scan(d, pos, stop, h, p.strict);
    if (cut >= 0) return cut - start;
    h = scanHash;
    pos = stop;
    if (pos < looseFrom) return pause(pos, h);
  }
  if (pos < last) {
    const stop = Math.min(end, last);
    const cut = scan(d, pos, stop, h, p.loose);
    if (cut >= 0) return cut - start;
    h = scanHash;
    pos = stop;
    if (pos < last) return pause(pos, h);
  }
  return end > last ? p.max : pause(pos, h);
}

function pause(pos: number, h: number): -1 {
  nextPos = pos;
  nextHash = h;
  return -1;
}

/** Length of the next chunk of data[start..end) if the data ended at `end` (cut <= end-start). `final` = no more data follows. Returns -1 if more data is needed to decide. */
export function findCut(data: Uint8Array, start: number, end: number, opts: ChunkerOptions, final: boolean): number {
  const p = resolve(opts);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || start > end || end > data.length) {
    throw new InvalidArgumentError(`findCut range [${start}, ${end}) is not inside ${data.length} bytes`);
  }
  return cutAt(data, start, end, p, final);
}

function cutAt(data: Uint8Array, start: number, end: number, p: Params, final: boolean): number {
  const cut = advance(data, start, start + p.min - WINDOW, 0, end, p);
  return cut >= 0 ? cut : final ? end - start : -1;
}

/**
 * The cut search of one chunk at a time over memory that holds the chunk from its first byte
 * (chunk-reader.ts fills such memory itself): feed it the bytes so far, again and again as more
 * arrive, until it answers with the chunk's length.
 */
export class CutFinder {
  readonly #p: Params;
  #pos: number;
  #hash = 0;

  constructor(opts?: Partial<ChunkerOptions>) {
    this.#p = resolve(opts);
    this.#pos = this.#p.min - WINDOW;
  }

  get maxSize(): number {
    return this.#p.max;
  }

  /** The chunk's length if data[0..end) holds its cut (then the search restarts for the next
   *  chunk), or -1 when more bytes are needed to decide. */
  find(data: Uint8Array, end: number): number {
    const cut = advance(data, 0, this.#pos, this.#hash, end, this.#p);
    if (cut < 0) {
      this.#pos = nextPos;
      this.#hash = nextHash;
    } else {
      this.#pos = this.#p.min - WINDOW;
      this.#hash = 0;
    }
    return cut;
  }
}

/** Split a whole buffer: returns subarrays (views, no copies) covering data in order. Empty input -> []. */
export function chunkBuffer(data: Uint8Array, opts?: Partial<ChunkerOptions>): Uint8Array[] {
  const p = resolve(opts);
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < data.length; ) {
    const len = cutAt(data, start, data.length, p, true);
    chunks.push(data.subarray(start, start + len));
    start += len;
  }
  return chunks;
}

/**
 * Where chunks get their memory. With `trim`, a chunk that spans pieces is gathered in memory
 * taken for maxSize from its first byte on and trimmed at the cut, so each byte is copied once;
 * without it, the uncut tail of a piece waits in a private buffer and is copied again at the cut.
 */
export interface ChunkMemory {
  take(bytes: number): Buffer;
  /** `buf` (from take) cut down to its first `bytes` bytes. */
  trim?(buf: Buffer, bytes: number): Buffer;
  /** Memory from take that will not become a chunk (the stream ended early). */
  give?(buf: Buffer): void;
}

const OWN_MEMORY: ChunkMemory = { take: (n) => Buffer.allocUnsafeSlow(n) };

/**
 * Streaming chunker: pieces of any sizes in, chunks out, with the same boundaries as
 * chunkBuffer on the concatenation. Pieces are scanned in place; only the uncut tail of a piece
 * (less than maxSize) is kept aside until its cut (see ChunkMemory for how often it is copied).
 */
export class Chunker {
  readonly #p: Params;
  readonly #memory: ChunkMemory;
  /** Bytes of the chunk in progress, scanned already and not yet cut: #pending[0..#pendingLen).
   *  With a trimming memory, #pending is that chunk's own memory (taken for maxSize). */
  #pending: Uint8Array = new Uint8Array(0);
  #pendingLen = 0;
  /** Next byte to hash, relative to the start of the chunk in progress. */
  #pos: number;
  #hash = 0;
  #finished = false;

  /** `memory` gives each chunk its memory (default: a fresh buffer of its own); the engine's
   *  FileStore passes block memory, which it gives back once the chunk is stored. */
  constructor(opts?: Partial<ChunkerOptions>, memory: ChunkMemory = OWN_MEMORY) {
    this.#p = resolve(opts);
    this.#pos = this.#p.min - WINDOW;
    this.#memory = memory;
  }

  /** Give back memory held for a chunk in progress (the stream ended before its cut). */
  dispose(): void {
    if (this.#memory.trim && this.#pending.byteLength > 0) this.#memory.give?.(this.#pending as Buffer);
    this.#pending = new Uint8Array(0);
    this.#pendingLen = 0;
  }

  push(piece: Uint8Array): Buffer[] {
    return Array.from(this.cuts(piece));
  }

  finish(): Buffer[] {
    this.#checkOpen();
    this.#finished = true;
    const out = this.#pendingLen > 0 ? [this.#emit(new Uint8Array(0), -this.#pendingLen, 0)] : [];
    this.dispose();
    return out;
  }

  /** Like push, but yields each chunk as soon as it is cut (chunkStream uses this to hold one chunk at a time). Run it to the end. */
  *cuts(piece: Uint8Array): Generator<Buffer> {
    this.#checkOpen();
    if (!(piece instanceof Uint8Array)) throw new InvalidArgumentError('chunker input pieces must be Uint8Array');
    const p = this.#p;
    const len = piece.length;
    let start = -this.#pendingLen; // the chunk in progress, in this piece's coordinates
    let pos = start + this.#pos;
    let h = this.#hash;
    for (;;) {
      const cut = advance(piece, start, pos, h, len, p);
      if (cut < 0) break; // nextPos/nextHash hold the scan state
      const chunk = this.#emit(piece, start, start + cut);
      start += cut;
      pos = start + p.min - WINDOW;
      h = 0;
      yield chunk;
    }
    if (start < len) this.#keep(piece.subarray(Math.max(start, 0)));
    this.#pos = nextPos - start;
    this.#hash = nextHash;
  }

  /** A chunk as its own Buffer: the pending bytes (when start < 0) followed by piece[max(start,0)..end). */
  #emit(piece: Uint8Array, start: number, end: number): Buffer {
    const fromPending = start < 0 ? this.#pendingLen : 0;
    const size = fromPending + end - Math.max(start, 0);
    const { trim } = this.#memory;
    if (fromPending > 0 && trim) {
      const gathered = this.#pending as Buffer;
      gathered.set(piece.subarray(0, end), fromPending);
      this.#pending = new Uint8Array(0);
      this.#pendingLen = 0;
      return trim(gathered, size);
    }
    // By default an ArrayBuffer of its own, never a slice of the shared pool, so it can be transferred.
    const out = this.#memory.take(size);
    if (fromPending > 0) out.set(this.#pending.subarray(0, fromPending), 0);
    out.set(piece.subarray(Math.max(start, 0), end), fromPending);
    this.#pendingLen = 0;
    return out;
  }

  /** Append bytes to the chunk in progress (which stays under maxSize, or a cut would have been made). */
  #keep(bytes: Uint8Array): void {
    const need = this.#pendingLen + bytes.length;
    if (this.#memory.trim) {
      if (this.#pending.byteLength === 0) this.#pending = this.#memory.take(this.#p.max);
    } else if (need > this.#pending.length) {
      const grown = new Uint8Array(Math.min(this.#p.max, Math.max(need, 2 * this.#pending.length, 64 * 1024)));
      grown.set(this.#pending.subarray(0, this.#pendingLen));
      this.#pending = grown;
    }
    this.#pending.set(bytes, this.#pendingLen);
    this.#pendingLen = need;
  }

  #checkOpen(): void {
    if (this.#finished) throw new InvalidArgumentError('chunker already finished');
  }
}

/** Streaming: an async iterable of byte pieces of any sizes in, chunks out. Identical boundaries to chunkBuffer on the concatenation, whatever the piece sizes. Each yielded chunk is its own Buffer (safe to keep / transfer to a worker). Memory bounded: holds at most ~maxSize + one input piece (plus the chunk being yielded). */
export function chunkStream(
  source: AsyncIterable<Uint8Array>,
  opts?: Partial<ChunkerOptions>,
  memory?: ChunkMemory,
): AsyncGenerator<Buffer> {
  const chunker = new Chunker(opts, memory); // validates options now, not at the first next()
  return (async function* () {
    try {
      for await (const piece of source) yield* chunker.cuts(piece);
      yield* chunker.finish();
    } finally {
      chunker.dispose(); // a stream that ended early leaves no chunk memory behind
    }
  })();
}
