/**
 * node --import tsx scripts/trace-sync-latency.ts [N] [KiB]: where the time of one new file (1 KiB by default) goes, A → B.
 * Both agents run with COFFER_SYNC_TRACE=1 (sync/trace.ts); each run prints their trace and log
 * lines as ms after the write in A (a step repeated many times, as a big file's block requests,
 * as one line: its first and last time and its count), then the total until B holds the file.
 *
 * TRACE_UNFOLD=1: every request on a line of its own (when each pack went and came back).
 * TRACE_SERVER_ARGS="...": Node options for the server process, which is stopped with SIGTERM at
 * the end so that what they write at exit is written: e.g. `--cpu-prof --cpu-prof-dir=DIR`, or
 * `--import ./scripts/profile-pglite.mjs` (time in PGlite per statement, profile-pglite.mjs).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { converged, twoAgents } from '@coffer/client/testing/sync-harness';
const N = Number(process.argv[2] ?? 5);
const SIZE = Number(process.argv[3] ?? 1) * 1024;
const serverArgs = (process.env.TRACE_SERVER_ARGS ?? '').split(/\s+/).filter(Boolean);
const unfold = process.env.TRACE_UNFOLD === '1';
const w = await twoAgents('/bench', { nodeArgs: serverArgs });
const now = () => performance.timeOrigin + performance.now();
/** The fields of /proc/PID/stat after the command name (field 3 of proc(5) first). */
const procStat = (pid: number | undefined) => (pid ? readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ') : []);
/** CPU time (user + system, all threads) a process used so far, in ms: what a run costs whatever the machine's load. */
const cpuMs = (pid: number | undefined) => {
  const f = procStat(pid);
  return ((Number(f[11] ?? 0) + Number(f[12] ?? 0)) * 1000) / 100;
};
const cpuAll = () => [cpuMs(w.srv.pid), cpuMs(w.a.child?.pid), cpuMs(w.b.child?.pid)];
/** Minor page faults so far: each a page touched for the first time, costly on a VM (MALLOC_MMAP_THRESHOLD_ in server/README.md). */
const faults = (pid: number | undefined) => Number(procStat(pid)[7] ?? 0);
const faultsAll = () => [faults(w.srv.pid), faults(w.a.child?.pid), faults(w.b.child?.pid)];
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
    const bytes = randomBytes(SIZE);
    const name = `t-${i}.bin`;
    const pa = w.a.output.length, pb = w.b.output.length;
    const c0 = cpuAll();
    const f0 = faultsAll();
    const t0 = now();
    await writeFile(w.a.path(name), bytes);
    let cUp: number[] | undefined;
    for (;;) {
      // A's log says it committed: the CPU so far is the upload's, the rest the download's.
      if (!cUp && w.a.output.slice(pa).includes(`uploaded ${name}`)) cUp = cpuAll();
      const st = await stat(w.b.path(name)).catch(() => undefined);
      if (st?.size === SIZE && (await readFile(w.b.path(name))).equals(bytes)) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    const t1 = now();
    const c1 = cpuAll();
    const f1 = faultsAll().map((f, k) => f - f0[k]!);
    await new Promise((r) => setTimeout(r, 400));
    const show = (tag: string, out: string) => {
      const lines: { what: string; first: number; last: number; count: number }[] = [];
      const other: string[] = [];
      for (const l of out.split('\n').filter(Boolean)) {
        const m = /^trace (.*) (\d+\.\d)$/.exec(l);
        if (!m) {
          other.push(`  ${tag}          ${l}`);
          continue;
        }
        const t = Number(m[2]) - t0;
        const prev = lines.at(-1);
        // api> x / api< x repeated: folded into one line per kind while they interleave.
        const same = lines.findLast((x) => x.what === m[1]);
        if (!unfold && same && /^api[<>] (getBlock|putPack|putBlock)/.test(m[1]!) && prev && /^api[<>]/.test(prev.what)) {
          same.last = t;
          same.count++;
        } else lines.push({ what: m[1]!, first: t, last: t, count: 1 });
      }
      return [...lines.map((x) => `  ${tag} +${x.first.toFixed(1).padStart(7)}${x.count > 1 ? ` … +${x.last.toFixed(1).padStart(7)} ×${x.count}` : ''} ${x.what}`), ...other];
    };
    const [cs, ca, cb] = c1.map((c, k) => c - c0[k]!);
    const up = (cUp ?? c1).map((c, k) => c - c0[k]!);
    console.log(`run ${i}: total ${(t1 - t0).toFixed(1)} ms; CPU ms server ${cs} A ${ca} B ${cb} (until A's commit: server ${up[0]} A ${up[1]} B ${up[2]}); page faults server ${f1[0]} A ${f1[1]} B ${f1[2]}`);
    console.log([...show('A', w.a.output.slice(pa)), ...show('B', w.b.output.slice(pb))].join('\n'));
  }
} finally {
  // SIGTERM first: the server exits on its own and writes its profiles (cleanup's SIGKILL would not).
  if (serverArgs.length > 0) await w.srv.kill('SIGTERM');
  await w.cleanup();
}
