/**
 * Invariant 4: nothing is stored in plaintext on a node. Every file the nodes hold is scanned for
 * any 64-byte run of the input. Any 64-byte run contains a whole 32-byte-aligned 32-byte window of
 * the input, so indexing those windows and sliding over the node bytes finds every such run.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsNode } from '../src/nodes/fs.js';
import { pieces, randomData, textBytes } from './fixtures/data.js';
import { engineForTest } from './fixtures/engine.js';
import { s3NodesForTest } from './fixtures/s3.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

const W = 32;

function indexWindows(inputs: Buffer[]): Map<number, Buffer[]> {
  const index = new Map<number, Buffer[]>();
  for (const data of inputs) {
    for (let i = 0; i + W <= data.length; i += W) {
      const win = data.subarray(i, i + W);
      const k = win.readUInt32LE(0);
      const list = index.get(k);
      if (list) list.push(win);
      else index.set(k, [win]);
    }
  }
  return index;
}

/** Offsets in `bytes` where some indexed 32-byte window of the plaintext appears. */
function findPlaintext(bytes: Buffer, index: Map<number, Buffer[]>): number[] {
  const hits: number[] = [];
  for (let i = 0; i + W <= bytes.length; i++) {
    const list = index.get(bytes.readUInt32LE(i));
    if (list && list.some((w) => bytes.compare(w, 0, W, i, i + W) === 0)) hits.push(i);
  }
  return hits;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
  }
  return out;
}

const inputs = [
  textBytes(6 * 1024 * 1024, 3), // compresses: stored compressed, then encrypted
  randomData(3 * 1024 * 1024), // incompressible: stored raw, then encrypted
  textBytes(40 * 1024, 9), // small: stored as replicas
  Buffer.from('x'.repeat(200) + 'a short but very repetitive file '.repeat(20)),
];

describe('no plaintext on any node', () => {
  it('self-check: the scanner finds plaintext when it is there', () => {
    const index = indexWindows(inputs);
    const leaked = Buffer.concat([randomData(1000), inputs[0]!.subarray(5000, 5064), randomData(1000)]);
    expect(findPlaintext(leaked, index).length).toBeGreaterThan(0);
  });

  describe('on local-directory nodes', () => {
    const root = useTempDir('coffer-scan-');

    it('finds no 64-byte run of any input in any node file', async () => {
      const nodes = [0, 1, 2].map((i) => new FsNode(`fs-${i}`, join(root(), `n${i}`)));
      const engine = engineForTest(nodes);
      for (const data of inputs) await engine.files.write('ns', pieces(data));
      const index = indexWindows(inputs);
      const files = await filesUnder(root());
      expect(files.length).toBeGreaterThan(10);
      for (const f of files) expect(findPlaintext(await readFile(f), index), f).toEqual([]);
    }, 120_000);
  });

  describe.runIf(!process.env.COFFER_TEST_S3_URLS)('on S3 node processes', () => {
    it('finds no 64-byte run of any input in any file in the nodes\' directories', async () => {
      const env = await s3NodesForTest(3);
      try {
        const engine = engineForTest(env.nodes);
        for (const data of inputs) await engine.files.write('ns', pieces(data));
        const index = indexWindows(inputs);
        let scanned = 0;
        for (const node of env.cluster!.nodes) {
          for (const f of await filesUnder(node.dir)) {
            expect(findPlaintext(await readFile(f), index), f).toEqual([]);
            scanned++;
          }
        }
        expect(scanned).toBeGreaterThan(10);
      } finally {
        await env.cleanup();
      }
    }, 120_000);
  });
});
