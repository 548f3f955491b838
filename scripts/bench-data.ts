import { createCipheriv, randomBytes } from 'node:crypto';

/**
 * Benchmark inputs generated on the fly, so a 1 GiB run never holds 1 GiB: random bytes from an
 * AES-CTR keystream (fast, never repeats, so nothing deduplicates), and text-like bytes made of
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
  stream: AsyncGenerator<Buffer>;
  /** Nanoseconds spent making the bytes (subtracted from the pipeline's time). */
  elapsedNs: () => number;
}

/**
 * Pieces are written into one buffer that is reused for every piece (the engine copies what it
 * keeps before asking for the next piece), so the benchmark's own source makes no garbage for the
 * engine's collector to pay for. Random bytes come from the AES-CTR keystream in 64 KiB slices.
 */
export function generate(kind: DataKind, total: number, pieceSize = 1024 * 1024): Generated {
  let spent = 0;
  const cipher = createCipheriv('aes-256-ctr', randomBytes(32), randomBytes(16));
  const SLICE = 64 * 1024;
  const zeros = Buffer.alloc(Math.max(SLICE, Math.ceil(pieceSize / LINE) * 2));
  const table = kind === 'text' ? lineTable() : Buffer.alloc(0);
  const buffer = Buffer.allocUnsafeSlow(pieceSize);
  async function* stream(): AsyncGenerator<Buffer> {
    for (let done = 0; done < total; ) {
      const t0 = process.hrtime.bigint();
      const n = Math.min(pieceSize, total - done);
      const piece = buffer.subarray(0, n);
      if (kind === 'random') {
        for (let at = 0; at < n; at += SLICE) cipher.update(zeros.subarray(0, Math.min(SLICE, n - at))).copy(piece, at);
      } else {
        const picks = cipher.update(zeros.subarray(0, Math.ceil(n / LINE) * 2));
        for (let i = 0, o = 0; o < n; i++, o += LINE) {
          const line = picks.readUInt16LE(i * 2);
          table.copy(piece, o, line * LINE, line * LINE + Math.min(LINE, n - o));
        }
      }
      done += n;
      spent += Number(process.hrtime.bigint() - t0);
      yield piece;
    }
  }
  return { stream: stream(), elapsedNs: () => spent };
}
