import { randomBytes, randomFillSync } from 'node:crypto';
import type { FillSource } from '@coffer/storage-engine';

/**
 * Benchmark inputs generated on the fly, so a 1 GiB run never holds 1 GiB: random bytes from an
 * CSPRNG (never repeats, so nothing deduplicates), and text-like bytes made of
 * randomly chosen lines of words (compresses roughly as prose does, ~3×).
 */
export type DataKind = 'random' | 'text';

const WORDS = ('the of and to in is you that it he was for on are as with his they at be this have from or one had by ' +
  'word but not what all were we when your can said there use an each which she do how their if will up other about out ' +
  'many then them these so some her would make like him into time has look two more write go see number no way could ' +
  'people my than first water been call who oil its now find long down day did get come made may part storage block ' +
  'coffer encrypted revision device folder upload download quota share').split(' ');

const LINE = 64;
const LINES = 65536;

function lineTable(): Buffer {
  const table = Buffer.alloc(LINE * LINES, 0x20);
  const r = randomBytes(LINES * 16);
  for (let i = 0; i < LINES; i++) {
    let pos = i * LINE;
    const end = pos + LINE - 1;
    for (let w = 0; pos < end; w++) {
      const word = WORDS[r[(i * 16 + w) % r.length]! % WORDS.length]!;
      pos += table.write(word + ' ', pos, Math.max(0, end - pos), 'latin1');
    }
    table[i * LINE + LINE - 1] = 0x0a;
  }
  return table;
}

export interface Generated {
  /** The bytes as pieces of one reused buffer. */
  stream: AsyncGenerator<Buffer>;
  /** The same bytes written into memory the engine gives (as a file read does). Use one of the two. */
  source: FillSource;
  /** Nanoseconds spent making the bytes (subtracted from the pipeline's time). */
  elapsedNs: () => number;
}

/**
 * Bytes are made in place — in one buffer reused for every piece of `stream` (the engine copies
 * what it keeps before asking for the next piece), or straight into the engine's memory through
 * `source` — so the benchmark's own source makes no garbage for the engine's collector to pay
 * for. Random bytes: randomFillSync (~6 GB/s here).
 */
export function generate(kind: DataKind, total: number, pieceSize = 1024 * 1024): Generated {
  let spent = 0;
  let done = 0;
  const picks = Buffer.allocUnsafeSlow((Math.ceil(pieceSize / LINE) + 2) * 2);
  const table = kind === 'text' ? lineTable() : Buffer.alloc(0);
  let line = 0;
  let lineAt = LINE;
  // The next into.byteLength bytes (at most pieceSize) into `into`; text lines run on across calls.
  const produce = (into: Uint8Array) => {
    if (kind === 'random') return void randomFillSync(into);
    randomFillSync(picks);
    for (let o = 0, k = 0; o < into.byteLength; ) {
      if (lineAt === LINE) {
        line = picks.readUInt16LE(2 * k++);
        lineAt = 0;
      }
      const take = Math.min(LINE - lineAt, into.byteLength - o);
      into.set(table.subarray(line * LINE + lineAt, line * LINE + lineAt + take), o);
      o += take;
      lineAt += take;
    }
  };
  const next = (into: Uint8Array): number => {
    const t0 = process.hrtime.bigint();
    const n = Math.min(into.byteLength, pieceSize, total - done);
    produce(into.subarray(0, n));
    done += n;
    spent += Number(process.hrtime.bigint() - t0);
    return n;
  };
  const buffer = Buffer.allocUnsafeSlow(pieceSize);
  async function* stream(): AsyncGenerator<Buffer> {
    while (done < total) yield buffer.subarray(0, next(buffer));
  }
  return { stream: stream(), source: { fill: async (into) => next(into) }, elapsedNs: () => spent };
}
