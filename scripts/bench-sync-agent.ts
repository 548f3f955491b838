/**
 * npm run bench:sync-client [-- --runs 10 --big-mib 100]
 *
 * The desktop sync agent end to end: the real server process (HTTPS, PGlite) and two
 * `coffer sync` agent processes (two devices of one user). For 1 KiB, 1 MiB and `big-mib` MiB
 * files: the time from a file being written in folder A until it is complete (right size and
 * bytes) in folder B, median and p90 of `runs`. Then the edit scenario: a 1-byte change in the
 * middle of the big file, with the block bytes A sent and B received (the agents' --stats).
 * Target: p50 under 1 s for 1 KiB. The agents' settle window (50 ms) is part of what is measured;
 * the runs start once both agents are idle (not mid start-up).
 */
import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { converged, sha, twoAgents } from '@coffer/client/testing/sync-harness';
import { scriptOptions } from './options.js';

const opt = scriptOptions({ runs: 10, 'big-mib': 100 }, 'npm run bench:sync-client [-- --runs 10 --big-mib 100]');
const RUNS = opt.runs;
const BIG = opt['big-mib'] * 1024 * 1024;
const KiB = 1024;
const MiB = 1024 * KiB;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const human = (n: number) => (n >= MiB ? `${(n / MiB).toFixed(1)} MiB` : n >= KiB ? `${(n / KiB).toFixed(1)} KiB` : `${n} B`);

const w = await twoAgents('/bench');
try {
  w.a.start();
  w.b.start();
  await converged(w, () => true);
  await w.a.waitFor(/idle/, 0, 120_000);
  await w.b.waitFor(/idle/, 0, 120_000);

  /** Wait until B holds `name` with exactly these bytes (size first: hashing is only worth it then). */
  async function arrived(name: string, bytes: Buffer, hash: string): Promise<void> {
    const until = Date.now() + 300_000;
    for (;;) {
      const st = await stat(w.b.path(name)).catch(() => undefined);
      if (st?.size === bytes.length && createHash('sha256').update(await readFile(w.b.path(name))).digest('hex') === hash) return;
      if (Date.now() > until) throw new Error(`${name} never arrived in B`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  console.log(`sync agent, A → B, ${RUNS} runs each (ms from the write in A to the complete file in B)`);
  for (const [label, size] of [['1 KiB', KiB], ['1 MiB', MiB], [human(BIG), BIG]] as const) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const bytes = randomBytes(size);
      const name = `f-${size}-${i}.bin`;
      const t0 = performance.now();
      await writeFile(w.a.path(name), bytes);
      await arrived(name, bytes, sha(bytes));
      times.push(performance.now() - t0);
    }
    console.log(`  ${label.padEnd(8)} p50 ${pct(times, 50).toFixed(0).padStart(6)} ms   p90 ${pct(times, 90).toFixed(0).padStart(6)} ms   min ${Math.min(...times).toFixed(0)} ms`);
  }

  // The edit scenario: one byte in the middle of a big file.
  const big = randomBytes(BIG);
  await writeFile(w.a.path('edit.bin'), big);
  await arrived('edit.bin', big, sha(big));
  const a0 = await w.a.stats();
  const b0 = await w.b.stats();
  big[BIG >> 1] = big[BIG >> 1]! ^ 0xff;
  const t0 = performance.now();
  const fh = await open(w.a.path('edit.bin'), 'r+');
  await fh.write(big, BIG >> 1, 1, BIG >> 1);
  await fh.close();
  await arrived('edit.bin', big, sha(big));
  const ms = performance.now() - t0;
  const a1 = await w.a.stats();
  const b1 = await w.b.stats();
  console.log(`1-byte edit in the middle of ${human(BIG)}: in B after ${ms.toFixed(0)} ms; A sent ${a1.blocksSent - a0.blocksSent} block(s), ${human(a1.blockBytesSent - a0.blockBytesSent)}; B received ${b1.blocksReceived - b0.blocksReceived} block(s), ${human(b1.blockBytesReceived - b0.blockBytesReceived)}`);
} finally {
  await w.cleanup();
}
