/**
 * node --import tsx scripts/trace-sync-latency.ts [N]: where the time of one new 1 KiB file goes, A → B.
 * Both agents run with COFFER_SYNC_TRACE=1 (sync/trace.ts); each run prints their trace and log
 * lines as ms after the write in A, then the total until B holds the file.
 */
import { randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { converged, twoAgents } from '@coffer/client/testing/sync-harness';
const N = Number(process.argv[2] ?? 5);
const w = await twoAgents('/bench');
const now = () => performance.timeOrigin + performance.now();
try {
  w.a.env.COFFER_SYNC_TRACE = '1';
  w.b.env.COFFER_SYNC_TRACE = '1';
  w.a.start();
  w.b.start();
  await converged(w, () => true);
  await w.a.waitFor(/idle/, 0, 120_000);
  await w.b.waitFor(/idle/, 0, 120_000);
  await new Promise((r) => setTimeout(r, 500));
  for (let i = 0; i < N; i++) {
    const bytes = randomBytes(1024);
    const name = `t-${i}.bin`;
    const pa = w.a.output.length, pb = w.b.output.length;
    const t0 = now();
    await writeFile(w.a.path(name), bytes);
    for (;;) {
      const st = await stat(w.b.path(name)).catch(() => undefined);
      if (st?.size === 1024 && (await readFile(w.b.path(name))).equals(bytes)) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    const t1 = now();
    await new Promise((r) => setTimeout(r, 400));
    const show = (tag: string, out: string) => out.split('\n').filter(Boolean).map((l) => {
      const m = /^trace (.*) (\d+\.\d)$/.exec(l);
      return m ? `  ${tag} +${(Number(m[2]) - t0).toFixed(1).padStart(7)} ${m[1]}` : `  ${tag}          ${l}`;
    });
    console.log(`run ${i}: total ${(t1 - t0).toFixed(1)} ms`);
    console.log([...show('A', w.a.output.slice(pa)), ...show('B', w.b.output.slice(pb))].join('\n'));
  }
} finally {
  await w.cleanup();
}
