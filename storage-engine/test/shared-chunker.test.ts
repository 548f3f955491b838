/**
 * One cut rule everywhere: the engine's chunker (the C addon's scan on this machine), the
 * engine's JavaScript path (COFFER_NATIVE=0, in a child process), and @coffer/protocol's plain
 * chunker that the browser runs cut random data — and the same data after an insert — at
 * exactly the same places.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chunkBuffer as protocolChunks, CutFinder as ProtocolCutFinder } from '@coffer/protocol';
import { chunkBuffer } from '../src/chunk/chunker.js';
import { native } from '../src/native.js';
import { ends } from './fixtures/chunk-input.js';
import { INPUTS } from './fixtures/shared-chunker-inputs.js';

/** Cuts as the browser finds them: slices of a file read one after another, the chunk in progress carried over. */
function sliceEnds(data: Uint8Array, slice: number): number[] {
  const finder = new ProtocolCutFinder();
  const out: number[] = [];
  let carry = new Uint8Array(0);
  let base = 0; // file offset of carry[0]
  for (let at = 0; at < data.length || carry.length > 0; ) {
    const piece = data.subarray(at, Math.min(data.length, at + slice));
    at += piece.length;
    const final = at >= data.length;
    const buf = new Uint8Array(carry.length + piece.length);
    buf.set(carry);
    buf.set(piece, carry.length);
    let start = 0;
    for (;;) {
      const cut = finder.find(buf.subarray(start), buf.length - start);
      if (cut < 0) break;
      start += cut;
      out.push(base + start);
    }
    if (final) {
      if (start < buf.length) out.push(base + buf.length);
      break;
    }
    carry = buf.slice(start);
    base += start;
  }
  return out;
}

describe('the shared chunker', () => {
  it('native, engine JavaScript and protocol cut random data and an edited copy identically', () => {
    expect(native).toBeDefined(); // the comparison below is with the addon's scan
    const script = fileURLToPath(new URL('./fixtures/js-chunk-ends.ts', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', script], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, COFFER_NATIVE: '0' },
      timeout: 120_000,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const js = JSON.parse(out) as { native: boolean; ends: number[][] };
    expect(js.native).toBe(false);
    const all = INPUTS.map((make) => make());
    all.forEach((data, k) => {
      const engine = ends(chunkBuffer(data));
      expect(engine.length).toBeGreaterThan(2);
      expect(ends(protocolChunks(data)), `input ${k}`).toEqual(engine);
      expect(js.ends[k], `input ${k}`).toEqual(engine);
      expect(sliceEnds(data, 5 * 1024 * 1024 + 17), `input ${k}`).toEqual(engine);
    });
    // The insert moved the cuts near it only: most blocks of the original are blocks of the copy.
    const [before, after] = [ends(chunkBuffer(all[0]!)), ends(chunkBuffer(all[1]!))];
    const shifted = new Set(after.map((e) => e - 1000));
    const kept = before.filter((e) => e > 9_000_000 && shifted.has(e)).length;
    expect(kept).toBeGreaterThan(before.filter((e) => e > 9_000_000).length - 3);
  });
});
