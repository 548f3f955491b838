/**
 * Small blocks per second, packed against unpacked, on the engine alone (no HTTP, no database):
 * `node --import tsx storage-engine/bench/small-blocks.ts [--files 2000] [--clients 16] [--rounds 3] [--s3]`.
 * Three local-directory nodes (the embedded default's layout, 2+1), or with --s3 six s3rver node
 * processes (4+2). Rounds alternate the two modes, each on fresh nodes; medians are printed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startS3Cluster } from '@coffer/test-support/s3-nodes';
import { FsNode, S3Node, type StorageNode } from '../src/index.js';
import { engineForTest } from '../test/fixtures/engine.js';
import { textBytes } from '../test/fixtures/data.js';

const { values } = parseArgs({
  options: { files: { type: 'string', default: '2000' }, clients: { type: 'string', default: '16' }, rounds: { type: 'string', default: '3' }, s3: { type: 'boolean', default: false } },
});
const FILES = Number(values.files);
const CLIENTS = Number(values.clients);
const ROUNDS = Number(values.rounds);

/** Counts durable writes (objects stored) on a real node. */
function counted(node: StorageNode, counter: { puts: number }): StorageNode {
  return {
    id: node.id,
    put: (k, d) => (counter.puts++, node.put(k, d)),
    get: (k, r) => node.get(k, r),
    head: (k) => node.head(k),
    delete: (k) => node.delete(k),
    list: (p) => node.list(p),
  };
}

async function nodesFor(round: number): Promise<{ nodes: StorageNode[]; done: () => Promise<void> }> {
  if (values.s3) {
    const cluster = await startS3Cluster({ count: 6 });
    const nodes = cluster.nodes.map((n) => S3Node.fromUrl(n.id, n.url));
    return { nodes, done: async () => (nodes.forEach((n) => n.close()), cluster.stopAll()) };
  }
  const dir = await mkdtemp(join(tmpdir(), `coffer-bench-packs-${round}-`));
  return { nodes: [0, 1, 2].map((i) => new FsNode(`fs-${i}`, join(dir, `n${i}`))), done: () => rm(dir, { recursive: true, force: true }) };
}

async function run(packed: boolean, round: number): Promise<{ filesPerSec: number; writes: number }> {
  const { nodes, done } = await nodesFor(round);
  const counter = { puts: 0 };
  const { blocks } = engineForTest(nodes.map((n) => counted(n, counter)), packed ? {} : { packs: false });
  // Distinct files around a source tree's median size (~700 B).
  const files = Array.from({ length: FILES }, (_, i) => textBytes(400 + ((i * 131) % 600), round * 1_000_003 + i + 1));
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < files.length) await blocks.put('bench', files[next++]!);
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  await blocks.close();
  await done();
  return { filesPerSec: FILES / secs, writes: counter.puts };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results = { unpacked: [] as number[], packed: [] as number[] };
const writes = { unpacked: 0, packed: 0 };
for (let r = 0; r < ROUNDS; r++) {
  for (const packed of r % 2 === 0 ? [false, true] : [true, false]) {
    const got = await run(packed, r);
    const mode = packed ? 'packed' : 'unpacked';
    results[mode].push(got.filesPerSec);
    writes[mode] = got.writes;
    console.log(`round ${r + 1} ${mode.padEnd(8)} ${got.filesPerSec.toFixed(0).padStart(6)} files/s  ${got.writes} node writes`);
  }
}
const where = values.s3 ? 'six s3rver nodes (4+2)' : 'three local-directory nodes (2+1)';
console.log(`\n${FILES} small blocks, ${CLIENTS} concurrent writers, ${where}, median of ${ROUNDS}:`);
console.log(`  unpacked: ${median(results.unpacked).toFixed(0)} files/s (${writes.unpacked} node writes)`);
console.log(`  packed:   ${median(results.packed).toFixed(0)} files/s (${writes.packed} node writes)  ×${(median(results.packed) / median(results.unpacked)).toFixed(1)}`);
