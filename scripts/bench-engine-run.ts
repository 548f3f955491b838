/** One configuration of the engine benchmark, run inside its own process (see bench-engine.ts). */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { BlockIds, FsNode, StageTimer, WorkerSealer } from '@coffer/storage-engine';
import { engineForTest } from '@coffer/storage-engine/testing';
import { generate, type DataKind } from './bench-data.js';

export interface RunResult {
  ingestMBps: number;
  readMBps: number;
  peakRssMiB: number;
  ingestPeakRssMiB: number;
  storedRatio: number;
  ingestStages: Record<string, number>;
  readStages: Record<string, number>;
}

export async function runConfig(kind: DataKind, mode: 'one-core' | 'workers', size: number, dir: string, nodeCount: number): Promise<RunResult> {
  const root = await mkdtemp(join(dir, 'coffer-bench-'));
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
  try {
    const secret = randomBytes(32);
    const timer = new StageTimer();
    const nodes = Array.from({ length: nodeCount }, (_, i) => new FsNode(`n${i}`, join(root, `n${i}`)));
    const { blocks, files } = engineForTest(
      nodes,
      { ids: new BlockIds(secret), sealer: mode === 'workers' ? new WorkerSealer(secret) : undefined, timer },
      { concurrency: mode === 'workers' ? 6 : 4, readAhead: mode === 'workers' ? 4 : 2 },
    );

    const gen = generate(kind, size);
    const t0 = process.hrtime.bigint();
    const written = await files.write('bench', gen.source);
    const ingestNs = Number(process.hrtime.bigint() - t0) - gen.elapsedNs();
    const ingestStages = timer.snapshot();
    ingestStages.chunk = Math.max(0, (ingestStages.chunk ?? 0) - gen.elapsedNs());
    const stored = duBytes(root);
    const ingestPeak = peak;

    timer.reset();
    const t1 = process.hrtime.bigint();
    let read = 0;
    for await (const piece of files.read(written.blocks)) read += piece.byteLength;
    const readNs = Number(process.hrtime.bigint() - t1);
    if (read !== size) throw new Error(`read ${read} bytes of ${size}`);
    await blocks.close();
    return {
      ingestMBps: size / 1e6 / (ingestNs / 1e9),
      readMBps: size / 1e6 / (readNs / 1e9),
      peakRssMiB: Math.max(peak, process.resourceUsage().maxRSS * 1024) / 1024 / 1024,
      ingestPeakRssMiB: ingestPeak / 1024 / 1024,
      storedRatio: stored / size,
      ingestStages,
      readStages: timer.snapshot(),
    };
  } finally {
    clearInterval(sampler);
    await rm(root, { recursive: true, force: true });
  }
}

function duBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += statSync(join(e.parentPath, e.name)).size;
  }
  return total;
}

/** SHA-256 + AES-256-GCM over `size` bytes of the given kind, in 1 MiB pieces, on `threads` threads. */
export async function measureCeiling(kind: DataKind, size: number, threads: number): Promise<{ mbps: number }> {
  if (threads <= 1) return { mbps: await ceilingOneThread(kind, size) };
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    const { createHash, createCipheriv, randomBytes } = require('node:crypto');
    const { pieces } = workerData;
    parentPort.once('message', () => {
      const t0 = process.hrtime.bigint();
      for (const p of pieces) {
        createHash('sha256').update(p).digest();
        const c = createCipheriv('aes-256-gcm', randomBytes(32), randomBytes(12));
        c.update(p); c.final(); c.getAuthTag();
      }
      parentPort.postMessage(Number(process.hrtime.bigint() - t0));
    });
    parentPort.postMessage('ready');`;
  const per = Math.floor(size / threads);
  const workers = await Promise.all(
    Array.from({ length: threads }, async () => {
      const pieces = await collectPieces(kind, per);
      const w = new Worker(code, { eval: true, workerData: { pieces } });
      await new Promise((r) => w.once('message', r));
      return w;
    }),
  );
  const t0 = process.hrtime.bigint();
  await Promise.all(workers.map((w) => new Promise((r) => { w.once('message', r); w.postMessage('go'); })));
  const ns = Number(process.hrtime.bigint() - t0);
  await Promise.all(workers.map((w) => w.terminate()));
  return { mbps: (per * threads) / 1e6 / (ns / 1e9) };
}

async function collectPieces(kind: DataKind, size: number): Promise<Buffer[]> {
  const pieces: Buffer[] = [];
  for await (const p of generate(kind, size).stream) pieces.push(Buffer.from(p));
  return pieces;
}

async function ceilingOneThread(kind: DataKind, size: number): Promise<number> {
  const pieces = await collectPieces(kind, size);
  const key = randomBytes(32);
  const t0 = process.hrtime.bigint();
  for (const p of pieces) {
    createHash('sha256').update(p).digest();
    const c = createCipheriv('aes-256-gcm', key, randomBytes(12));
    c.update(p);
    c.final();
    c.getAuthTag();
  }
  return size / 1e6 / (Number(process.hrtime.bigint() - t0) / 1e9);
}
