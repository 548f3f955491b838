/**
 * The engine's chunker: FastCDC as @coffer/protocol defines it (protocol/src/chunking: the cut
 * rule, the gear table, the parameters — the browser runs that same code), with the C addon's
 * gear scan plugged in when it loaded (same cuts, ~1.3x the JavaScript loop), plus the streaming
 * Chunker that gives each chunk memory of its own (or the FileStore's block memory).
 */
import {
  CHUNKER_PARAMETERS,
  ChunkerOptionsError,
  CutFinder as ProtocolCutFinder,
  CutSearch,
  chunkBuffer as protocolChunkBuffer,
  chunkerParams,
  findCut as protocolFindCut,
  type ChunkerOptions,
  type ChunkerParams,
  type GearScan,
} from '@coffer/protocol';
import { InvalidArgumentError } from '../errors.js';
import { native } from '../native.js';

export type { ChunkerOptions };

/** The protocol's parameters: client and server must cut alike, so they are part of the wire contract. */
export const DEFAULT_CHUNKER_OPTIONS: ChunkerOptions = Object.freeze({ ...CHUNKER_PARAMETERS });

/** The addon's scan, when it loaded (COFFER_NATIVE=0 or a failed build: the protocol's JavaScript scan). */
const FAST: GearScan | undefined = native ? (d, i, stop, h, t) => native!.gearScan(d, i, stop, h, t) : undefined;

/** The protocol's option errors as the engine's InvalidArgumentError. */
function engineErrors<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof ChunkerOptionsError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}

function resolve(opts: Partial<ChunkerOptions> | undefined): ChunkerParams {
  return engineErrors(() => chunkerParams(opts));
}

/** Length of the next chunk of data[start..end) if the data ended at `end` (cut <= end-start). `final` = no more data follows. Returns -1 if more data is needed to decide. */
export function findCut(data: Uint8Array, start: number, end: number, opts: ChunkerOptions, final: boolean): number {
  return engineErrors(() => protocolFindCut(data, start, end, opts, final, FAST));
}

/**
 * The cut search of one chunk at a time over memory that holds the chunk from its first byte
 * (chunk-reader.ts fills such memory itself): feed it the bytes so far, again and again as more
 * arrive, until it answers with the chunk's length.
 */
export class CutFinder extends ProtocolCutFinder {
  constructor(opts?: Partial<ChunkerOptions>) {
    resolve(opts);
    super(opts, FAST);
  }
}

/** Split a whole buffer: returns subarrays (views, no copies) covering data in order. Empty input -> []. */
export function chunkBuffer(data: Uint8Array, opts?: Partial<ChunkerOptions>): Uint8Array[] {
  return engineErrors(() => protocolChunkBuffer(data, opts, FAST));
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
  readonly #search: CutSearch;
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
    this.#search = new CutSearch(resolve(opts), FAST);
    this.#pos = this.#search.firstPos(0);
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
    const search = this.#search;
    const len = piece.length;
    let start = -this.#pendingLen; // the chunk in progress, in this piece's coordinates
    let pos = start + this.#pos;
    let h = this.#hash;
    for (;;) {
      const cut = search.advance(piece, start, pos, h, len);
      if (cut < 0) break; // search.nextPos/nextHash hold the scan state
      const chunk = this.#emit(piece, start, start + cut);
      start += cut;
      pos = search.firstPos(start);
      h = 0;
      yield chunk;
    }
    if (start < len) this.#keep(piece.subarray(Math.max(start, 0)));
    this.#pos = search.nextPos - start;
    this.#hash = search.nextHash;
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
      if (this.#pending.byteLength === 0) this.#pending = this.#memory.take(this.#search.p.max);
    } else if (need > this.#pending.length) {
      const grown = new Uint8Array(Math.min(this.#search.p.max, Math.max(need, 2 * this.#pending.length, 64 * 1024)));
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
