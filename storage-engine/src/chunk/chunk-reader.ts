import { CutFinder, type ChunkerOptions, type ChunkMemory } from './chunker.js';

/**
 * A byte source that writes into memory it is given, as a file read does: the chunker then cuts
 * chunks where the bytes already are, instead of copying every piece a stream hands over.
 */
export interface FillSource {
  /** Write up to `into.byteLength` next bytes at the start of `into`; resolve how many (0: the end). */
  fill(into: Uint8Array): Promise<number>;
}

export function isFillSource(x: unknown): x is FillSource {
  return typeof (x as FillSource | undefined)?.fill === 'function';
}

/** Bytes asked for per fill: the bytes a fill brings past a cut are copied to the next chunk
 *  (half a fill per chunk on average, ~10% of the bytes), and each fill is an await. */
const FILL_SIZE = 256 * 1024;

/**
 * Chunks of a fill source, with the same boundaries as chunkBuffer on its bytes. Each chunk's
 * memory is taken for maxSize and filled in place; at the cut, the bytes past it move to the next
 * chunk's memory and the rest is trimmed off. Holds at most one chunk in progress.
 */
export async function* chunkFills(source: FillSource, memory: Required<ChunkMemory>, opts?: Partial<ChunkerOptions>): AsyncGenerator<Buffer> {
  const finder = new CutFinder(opts);
  const max = finder.maxSize;
  let mem = memory.take(max);
  let filled = 0;
  let ended = false;
  try {
    for (;;) {
      if (!ended && filled < max) {
        const n = await source.fill(mem.subarray(filled, Math.min(max, filled + FILL_SIZE)));
        if (!Number.isSafeInteger(n) || n < 0 || filled + n > max) throw new RangeError(`a fill source reported ${n} bytes`);
        if (n === 0) ended = true;
        filled += n;
      }
      let cut = finder.find(mem, filled);
      if (cut < 0) {
        if (!ended) continue;
        if (filled === 0) break;
        cut = filled;
      }
      const rest = filled - cut;
      const next: Buffer = memory.take(max);
      if (rest > 0) next.set(mem.subarray(cut, filled));
      const chunk = memory.trim(mem, cut);
      mem = next;
      filled = rest;
      yield chunk;
    }
  } finally {
    memory.give(mem);
  }
}

/** A fill source reading an open file from its current position (FileHandle.read into the chunk). */
export function fileFillSource(file: { read(buffer: Uint8Array, offset: number, length: number, position: null): Promise<{ bytesRead: number }> }): FillSource {
  return { fill: async (into) => (await file.read(into, 0, into.byteLength, null)).bytesRead };
}
