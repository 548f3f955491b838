/**
 * npm run bench:repair [-- --size-mib 256 --dir /dev/shm --nodes 6 --concurrency 4]
 *
 * Repair throughput and scrub rate of the storage engine on local-directory nodes (4+2 with six):
 * writes random data, wipes one node (a replaced disk), repairs every block, a few at once as the
 * repair job does (MB/s of rebuilt shards written back), then scrubs every block, reading and
 * verifying every shard as the scrub job does (blocks/s, MB/s of shards read). Nodes default to /dev/shm, so the figures are
 * the engine's, not the disk's; pass --dir to measure a disk.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsNode } from '@coffer/storage-engine';
import { engineForTest } from '@coffer/storage-engine/testing';
import { scriptOptions } from './options.js';

const opt = scriptOptions(
  { 'size-mib': 256, dir: existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), nodes: 6, concurrency: 4 },
  'npm run bench:repair [-- --size-mib 256 --dir /dev/shm --nodes 6 --concurrency 4]',
);
const MiB = 1024 * 1024;
const size = opt['size-mib'] * MiB;
const count = opt.nodes;
const concurrency = opt.concurrency;
const base = await mkdtemp(join(opt.dir, 'coffer-bench-repair-'));

async function bytesUnder(dir: string): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    files++;
    bytes += (await stat(join(e.parentPath, e.name))).size;
  }
  return { files, bytes };
}

const mbps = (bytes: number, ms: number) => (bytes / MiB / (ms / 1000)).toFixed(1);

try {
  const nodes = Array.from({ length: count }, (_, i) => new FsNode(`n${i}`, join(base, `node-${i}`)));
  const { blocks, files } = engineForTest(nodes);

  const keys: string[] = [];
  const t0 = performance.now();
  for (let done = 0; done < size; done += 64 * MiB) {
    const chunk = randomBytes(Math.min(64 * MiB, size - done));
    const written = await files.write('bench', (async function* () { yield chunk; })());
    keys.push(...written.blocks.map((b) => b.key));
  }
  console.log(`wrote ${(size / MiB).toFixed(0)} MiB as ${keys.length} blocks on ${count} nodes in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // A replaced disk: node 0 comes back empty.
  await rm(nodes[0]!.dir, { recursive: true, force: true });
  await mkdir(nodes[0]!.dir);
  const t1 = performance.now();
  let rebuilt = 0;
  // As the repair job does: a few blocks at once.
  let next = 0;
  const worker = async () => {
    for (let key = keys[next++]; key; key = keys[next++]) {
      const r = await blocks.repair(key);
      rebuilt += r.rebuilt.length;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const repairMs = performance.now() - t1;
  const back = await bytesUnder(nodes[0]!.dir);
  console.log(`repair: ${rebuilt} shards (${(back.bytes / MiB).toFixed(1)} MiB) rebuilt onto the emptied node in ${(repairMs / 1000).toFixed(2)} s → ${mbps(back.bytes, repairMs)} MB/s of rebuilt shards, ${(keys.length / (repairMs / 1000)).toFixed(0)} blocks/s checked`);

  const all = await bytesUnder(base);
  const t2 = performance.now();
  let damaged = 0;
  for (const key of keys) {
    const r = await blocks.verify(key, { repair: true });
    if (!r.ok) damaged++;
  }
  const scrubMs = performance.now() - t2;
  console.log(`scrub: ${keys.length} blocks, every shard read and verified (${(all.bytes / MiB).toFixed(1)} MiB) in ${(scrubMs / 1000).toFixed(2)} s → ${(keys.length / (scrubMs / 1000)).toFixed(0)} blocks/s, ${mbps(all.bytes, scrubMs)} MB/s of shards; ${damaged} damaged`);
  await blocks.close();
} finally {
  await rm(base, { recursive: true, force: true });
}
