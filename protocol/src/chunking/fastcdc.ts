/**
 * FastCDC content-defined chunking (gear rolling hash, normalised chunking): where blocks are
 * cut. Part of the wire contract, as the parameters are: the server, the CLI and the browser must
 * cut equal bytes alike or nothing dedups. Plain TypeScript (no Node), so the browser runs the
 * very same code; the storage engine plugs its C addon's scan in (`GearScan`) for speed.
 *
 * A cut may fall after byte i when the gear hash h there, read as unsigned, is below a
 * threshold: a stricter one while the chunk is shorter than avgSize, a looser one after, so
 * sizes bunch around avgSize. h = (h << 1) + GEAR[byte] in 32 bits, so h depends on exactly the
 * last 32 bytes. Hashing starts 32 bytes before minSize, so every cut test is a pure function of
 * the 32 bytes before the candidate: an insert moves the cuts near it and no others, and the
 * boundaries never depend on how the input was split into pieces. Every byte position is a
 * candidate (testing only every 4th would tie cuts to offsets mod 4, and a 1-byte insert would
 * then move every later cut); speed comes from reading 32-bit words and testing eight hashes with
 * one branch instead (see scanWords).
 * With min = avg/4 the mean chunk comes out near 1.15 x avgSize.
 */
import { CHUNKER_PARAMETERS } from '../blocks.js';
import { GEAR } from './gear-table.js';

export interface ChunkerOptions {
  minSize: number;
  avgSize: number;
  maxSize: number;
}

/** Options a chunker refuses (sizes out of range or out of order). */
export class ChunkerOptionsError extends RangeError {
  override name = 'ChunkerOptionsError';
}

/**
 * A faster scan of d[i..stop) with the same answer as the byte loop: the index just past the
 * first byte after which h < t (unsigned), or -1 - h (h as uint32 after the last byte) when none.
 * The storage engine passes its C addon's.
 */
export type GearScan = (d: Uint8Array, i: number, stop: number, h: number, t: number) => number;

/** Bytes the gear hash depends on; hashing starts this far before minSize. */
const WINDOW = 32;
const MIN_MIN_SIZE = 2 * WINDOW;
const MAX_MAX_SIZE = 1 << 30;

/** Validated sizes plus the cut thresholds (unsigned h below them cuts). */
export interface ChunkerParams {
  readonly min: number;
  readonly avg: number;
  readonly max: number;
  /** Before avgSize: probability 1/(4·avg) per byte (FastCDC normalisation level 2). */
  readonly strict: number;
  /** From avgSize on: probability 4/avg per byte. */
  readonly loose: number;
}

/** Checks the sizes (defaults: CHUNKER_PARAMETERS); throws ChunkerOptionsError. */
export function chunkerParams(opts?: Partial<ChunkerOptions>): ChunkerParams {
  const min = opts?.minSize ?? CHUNKER_PARAMETERS.minSize;
  const avg = opts?.avgSize ?? CHUNKER_PARAMETERS.avgSize;
  const max = opts?.maxSize ?? CHUNKER_PARAMETERS.maxSize;
  for (const [name, v] of [['minSize', min], ['avgSize', avg], ['maxSize', max]] as const) {
    if (!Number.isSafeInteger(v)) throw new ChunkerOptionsError(`chunker ${name} must be an integer, got ${v}`);
  }
  if (min < MIN_MIN_SIZE) throw new ChunkerOptionsError(`chunker minSize must be at least ${MIN_MIN_SIZE}, got ${min}`);
  if (max > MAX_MAX_SIZE) throw new ChunkerOptionsError(`chunker maxSize must be at most ${MAX_MAX_SIZE}, got ${max}`);
  if (!(min <= avg && avg <= max)) {
    throw new ChunkerOptionsError(`chunker sizes must satisfy min <= avg <= max, got ${min} / ${avg} / ${max}`);
  }
  // Thresholds instead of bit masks, so any avgSize works, not just powers of two.
  return Object.freeze({ min, avg, max, strict: Math.floor(2 ** 30 / avg), loose: Math.floor(2 ** 34 / avg) });
}

/** Word reads below assume little-endian byte order; elsewhere the byte loop alone runs. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Ranges at least this long go to the accelerated scan when there is one (a call costs ~0.1 µs). */
const FAST_MIN = 4096;

/** Hash d[i..stop) into h byte by byte: the index just past the first byte after which h < t (unsigned), or -1 - (h >>> 0). */
function scanBytes(d: Uint8Array, i: number, stop: number, h: number, t: number): number {
  const g = GEAR;
  while (i < stop) {
    h = ((h << 1) + g[d[i]!]!) | 0;
    i++;
    if (h >>> 0 < t) return i;
  }
  return -1 - (h >>> 0);
}

/**
 * Same result as scanBytes, faster: reads two aligned 32-bit words at a time and tests the eight
 * hashes with one branch. h < t (unsigned) implies clz32(h) >= clz32(t - 1), and the OR of eight
 * leading-zero counts is at least each of them, so OR-ing them is a cheap test that never misses
 * a cut (it fires falsely only when some hash has 16 or more leading zeros, ~1 in 8,000 groups);
 * when it fires the byte loop decides exactly. Half the operations of comparing each hash.
 */
export function scanWords(d: Uint8Array, i: number, stop: number, h: number, t: number): number {
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

/**
 * The cut search with its parameters and scan: `advance` continues the search of one chunk over
 * the bytes so far. Holds no bytes; `nextPos`/`nextHash` say where to resume after a -1.
 */
export class CutSearch {
  /** Scan state to resume from when advance returns -1. */
  nextPos = 0;
  nextHash = 0;
  readonly #fast: GearScan | undefined;

  constructor(
    readonly p: ChunkerParams,
    fast?: GearScan,
  ) {
    this.#fast = fast;
  }

  /** Where the search of a chunk starting at `start` begins hashing. */
  firstPos(start: number): number {
    return start + this.p.min - WINDOW;
  }

  #scan(d: Uint8Array, i: number, stop: number, h: number, t: number): number {
    return this.#fast && stop - i >= FAST_MIN ? this.#fast(d, i, stop, h, t) : scanWords(d, i, stop, h, t);
  }

  /**
   * Continue the cut search of the chunk that starts at `start` (may be negative: the chunk began
   * in an earlier piece) from byte `pos` with hash `h`, using bytes up to `end`. Returns the chunk
   * length, or -1 when the bytes so far hold no cut (nextPos/nextHash then say where to resume).
   */
  advance(d: Uint8Array, start: number, pos: number, h: number, end: number): number {
    const p = this.p;
    const firstTest = start + p.min - 1; // index of the last byte of a minSize chunk
    const looseFrom = start + p.avg - 1;
    const last = start + p.max - 1;
    if (pos < firstTest) {
      const g = GEAR;
      const stop = Math.min(end, firstTest);
      for (; pos < stop; pos++) h = ((h << 1) + g[d[pos]!]!) | 0;
      if (pos < firstTest) return this.#pause(pos, h);
    }
    if (pos < looseFrom) {
      const stop = Math.min(end, looseFrom);
      const cut = this.#scan(d, pos, stop, h, p.strict);
      if (cut >= 0) return cut - start;
      h = (-1 - cut) | 0;
      pos = stop;
      if (pos < looseFrom) return this.#pause(pos, h);
    }
    if (pos < last) {
      const stop = Math.min(end, last);
      const cut = this.#scan(d, pos, stop, h, p.loose);
      if (cut >= 0) return cut - start;
      h = (-1 - cut) | 0;
      pos = stop;
      if (pos < last) return this.#pause(pos, h);
    }
    return end > last ? p.max : this.#pause(pos, h);
  }

  /** The length of the chunk starting at `start` if the data ended at `end`; -1 when more data is needed (never when `final`). */
  cutAt(data: Uint8Array, start: number, end: number, final: boolean): number {
    const cut = this.advance(data, start, this.firstPos(start), 0, end);
    return cut >= 0 ? cut : final ? end - start : -1;
  }

  #pause(pos: number, h: number): -1 {
    this.nextPos = pos;
    this.nextHash = h;
    return -1;
  }
}

/** Length of the next chunk of data[start..end) if the data ended at `end` (cut <= end-start). `final` = no more data follows. Returns -1 if more data is needed to decide. */
export function findCut(data: Uint8Array, start: number, end: number, opts: ChunkerOptions, final: boolean, fast?: GearScan): number {
  const search = new CutSearch(chunkerParams(opts), fast);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || start > end || end > data.length) {
    throw new ChunkerOptionsError(`findCut range [${start}, ${end}) is not inside ${data.length} bytes`);
  }
  return search.cutAt(data, start, end, final);
}

/**
 * The cut search of one chunk at a time over memory that holds the chunk from its first byte:
 * feed it the bytes so far, again and again as more arrive, until it answers with the chunk's
 * length. The browser's uploads read a file in slices and cut it with this.
 */
export class CutFinder {
  readonly #search: CutSearch;
  #pos: number;
  #hash = 0;

  constructor(opts?: Partial<ChunkerOptions>, fast?: GearScan) {
    this.#search = new CutSearch(chunkerParams(opts), fast);
    this.#pos = this.#search.firstPos(0);
  }

  get maxSize(): number {
    return this.#search.p.max;
  }

  /** The chunk's length if data[0..end) holds its cut (then the search restarts for the next
   *  chunk), or -1 when more bytes are needed to decide. */
  find(data: Uint8Array, end: number): number {
    const s = this.#search;
    const cut = s.advance(data, 0, this.#pos, this.#hash, end);
    if (cut < 0) {
      this.#pos = s.nextPos;
      this.#hash = s.nextHash;
    } else {
      this.#pos = s.firstPos(0);
      this.#hash = 0;
    }
    return cut;
  }
}

/** Split a whole buffer: returns subarrays (views, no copies) covering data in order. Empty input -> []. */
export function chunkBuffer(data: Uint8Array, opts?: Partial<ChunkerOptions>, fast?: GearScan): Uint8Array[] {
  const search = new CutSearch(chunkerParams(opts), fast);
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < data.length; ) {
    const len = search.cutAt(data, start, data.length, true);
    chunks.push(data.subarray(start, start + len));
    start += len;
  }
  return chunks;
}
