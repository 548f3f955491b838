/**
 * npm run bench:sync-client [-- --runs 20 --big-runs 20 --big-mib 100 --edit-mib 64 --cases all --syncthing 1 --cache DIR]
 *
 * The desktop sync agent end to end, A → B, beside Syncthing in the same run. Ours: the real
 * server process (HTTPS, PGlite) and two `coffer sync` agent processes (two devices of one
 * user), each run as installed (no answer checks on the server; the agents' default rescan and
 * poll, and the environment `coffer sync` gives itself). Syncthing: two instances of the Debian
 * package on 127.0.0.1, watcher delay 1 s (bench-sync-syncthing.ts). For each case the time from the change in folder A until B holds
 * the file with exactly the new bytes (the old name gone, for a rename), median and p90 of
 * `runs`, the two tools interleaved run by run (which goes first alternates). Only the change
 * (the write, the rename) and the wait are timed: the new bytes are made and hashed before, and
 * B's file is checked after the look that saw it in place (`arrived`). The cases: a new
 * 1 KiB file, a new `big-mib` file, edits of an `edit-mib` file (1 byte changed in the middle,
 * 4 KiB inserted at the start, 4 KiB appended), its rename, and upgrades (a file replaced by its
 * next version, back and forth): bench:wire's pinned typescript.js and .deb versions (`--cache`).
 * `--cases` takes a comma list of case keys (new1k,newbig,byte,insert,append,rename,ts,deb).
 * Target (issue 21): 1 KiB p50 ≤ 100 ms, p90 ≤ 250 ms; every other case faster than Syncthing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, open, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { converged, twoAgents } from '@coffer/client/testing/sync-harness';
import { makeTempDir } from '@coffer/test-support/temp-dir';
import { syncthingPair, type SyncthingPair } from './bench-sync-syncthing.js';
import { wireCases } from './bench-wire/cases.js';
import { scriptOptions } from './options.js';

const opt = scriptOptions(
  { runs: 20, 'big-runs': 20, 'big-mib': 100, 'edit-mib': 64, cases: 'all', syncthing: 1, cache: join(import.meta.dirname, '..', '.tmp', 'bench-tree'), 'st-port': 23400 },
  'npm run bench:sync-client [-- --runs 20 --big-runs 20 --big-mib 100 --edit-mib 64 --cases new1k,newbig,byte,insert,append,rename,ts,deb --syncthing 1 --cache DIR]',
);
const KiB = 1024;
const MiB = 1024 * KiB;
const BIG = opt['big-mib'] * MiB;
const EDIT = opt['edit-mib'] * MiB;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** One tool's pair of folders. */
interface Side {
  tool: string;
  a: string;
  b: string;
}

/** A change made in A: B must end with `name` holding `bytes` (and without `gone`). */
interface Change {
  name: string;
  bytes: Buffer;
  gone?: string;
}

/** A change to make in A: its bytes are known (and hashed) before the clock starts; `apply` is the
 *  change itself (the write, the rename), the only part of A's side that is timed. */
interface Planned {
  change: Change;
  apply: () => Promise<void>;
}

interface Case {
  key: string;
  label: string;
  runs: number;
  /** Untimed: what the timed changes start from (made in A, waited for in B). */
  setup?: (s: Side) => Promise<Change>;
  plan: (s: Side, i: number, cur: Change | undefined) => Planned;
}

/**
 * Wait until B holds the change; the time (performance.now()) of the look that first saw it. A
 * file is read and hashed only when its stat differs from the last one hashed, and that check is
 * not counted: the look that saw the new stat already saw the file in place (both tools put a
 * file in place whole, by rename). Hashing inside the window cost each run ~0.4 s of a 100 MiB
 * file, and the bench's CPU, taken from tools that use both cores from the first millisecond.
 */
async function arrived(dirB: string, c: Change, want: string): Promise<number> {
  const until = Date.now() + 600_000;
  let seen = '';
  let held = false;
  for (;;) {
    const at = performance.now();
    const [st, old] = await Promise.all([stat(join(dirB, c.name)).catch(() => undefined), c.gone ? stat(join(dirB, c.gone)).catch(() => undefined) : undefined]);
    const key = st ? `${st.ino}:${st.size}:${st.mtimeMs}` : '';
    if (key !== seen) {
      seen = key;
      held = st?.size === c.bytes.length && sha(await readFile(join(dirB, c.name)).catch(() => Buffer.alloc(0))) === want;
    }
    if (held && !old) return at; // this look saw the content in place (checked after it) and the old name gone
    if (Date.now() > until) throw new Error(`${c.name} never arrived in ${dirB}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** A file replaced by its next version and back, run by run (an upgrade, then a downgrade). */
function upgrade(key: string, label: string, before: Buffer, after: Buffer): Case {
  const versions = [before, after];
  const name = `${key}-${label.split(' ')[0]}`;
  return {
    key,
    label,
    runs: opt.runs,
    async setup(s) {
      await writeFile(join(s.a, name), versions[0]!);
      return { name, bytes: versions[0]! };
    },
    plan(s, i) {
      const bytes = versions[(i + 1) % 2]!;
      return { change: { name, bytes }, apply: () => writeFile(join(s.a, name), bytes) };
    },
  };
}

/** `edit` gives the new bytes and the change that makes them in A's file. */
function editCase(key: string, label: string, edit: (s: Side, name: string, cur: Buffer, i: number) => { next: Buffer; apply: () => Promise<void> }): Case {
  const name = `${key}.bin`;
  return {
    key,
    label,
    runs: opt.runs,
    async setup(s) {
      const bytes = randomBytes(EDIT);
      await writeFile(join(s.a, name), bytes);
      return { name, bytes };
    },
    plan(s, i, cur) {
      const { next, apply } = edit(s, name, cur!.bytes, i);
      return { change: { name, bytes: next }, apply };
    },
  };
}

const cases: Case[] = [
  { key: 'new1k', label: 'new 1 KiB file', runs: opt.runs, plan: (s, i) => writeNew(s, `n1k-${i}.bin`, randomBytes(KiB)) },
  { key: 'newbig', label: `new ${opt['big-mib']} MiB file`, runs: opt['big-runs'], plan: (s, i) => writeNew(s, `nbig-${i}.bin`, randomBytes(BIG)) },
  editCase('byte', `1 byte changed in ${opt['edit-mib']} MiB`, (s, name, cur, i) => {
    const next = Buffer.from(cur);
    const at = (EDIT >> 1) + i * 7919;
    next[at] = next[at]! ^ 0xff;
    const apply = async () => {
      const fh = await open(join(s.a, name), 'r+');
      await fh.write(next, at, 1, at);
      await fh.close();
    };
    return { next, apply };
  }),
  editCase('insert', `4 KiB inserted at the start of ${opt['edit-mib']} MiB`, (s, name, cur) => {
    const next = Buffer.concat([randomBytes(4 * KiB), cur]);
    return { next, apply: () => writeFile(join(s.a, name), next) };
  }),
  editCase('append', `4 KiB appended to ${opt['edit-mib']} MiB`, (s, name, cur) => {
    const more = randomBytes(4 * KiB);
    return { next: Buffer.concat([cur, more]), apply: () => appendFile(join(s.a, name), more) };
  }),
  {
    key: 'rename',
    label: `rename of ${opt['edit-mib']} MiB`,
    runs: opt.runs,
    async setup(s) {
      const bytes = randomBytes(EDIT);
      await writeFile(join(s.a, 'ren-0.bin'), bytes);
      return { name: 'ren-0.bin', bytes };
    },
    plan(s, i, cur) {
      const name = `ren-${i + 1}.bin`;
      return { change: { name, bytes: cur!.bytes, gone: cur!.name }, apply: () => rename(join(s.a, cur!.name), join(s.a, name)) };
    },
  },
];
// The upgrades: bench:wire's pinned typescript.js and .deb versions (fetched once into --cache).
for (const u of (await wireCases(opt.cache, 1)).filter((c) => c.file === 'typescript.js' || c.file.endsWith('.deb'))) cases.push(upgrade(u.file.endsWith('.deb') ? 'deb' : 'ts', u.name, u.before, u.after));
const wanted = opt.cases === 'all' ? undefined : new Set(opt.cases.split(','));

function writeNew(s: Side, name: string, bytes: Buffer): Planned {
  return { change: { name, bytes }, apply: () => writeFile(join(s.a, name), bytes) };
}

// As installed: the server without the tests' check of every answer (bench:api's setting), the
// agents with the sync command's defaults for the rescan and the poll, not the sync tests' faster ones.
const w = await twoAgents('/bench', { env: { COFFER_VALIDATE_ANSWERS: '0' } });
for (const agent of [w.a, w.b]) Object.assign(agent.env, { COFFER_SYNC_RESCAN_MS: '60000', COFFER_SYNC_POLL_S: '60' });
const tmp = opt.syncthing ? await makeTempDir('bench-syncthing-') : undefined;
let st: SyncthingPair | undefined;
try {
  w.a.start();
  w.b.start();
  await converged(w, () => true);
  await w.a.waitFor(/idle/, 0, 120_000);
  await w.b.waitFor(/idle/, 0, 120_000);
  const sides: Side[] = [{ tool: 'coffer', a: w.a.dir, b: w.b.dir }];
  if (tmp) {
    st = await syncthingPair(tmp.path, opt['st-port']);
    sides.push({ tool: 'syncthing', a: st.a.dir, b: st.b.dir });
  }
  console.log(`sync agents, ${sides.map((s) => s.tool).join(' vs ')}, A → B: ms from the change in A until B holds it (p50 / p90 / min of the runs)`);
  const rows: string[] = [];
  for (const c of cases) {
    if (wanted && !wanted.has(c.key)) continue;
    const cur = new Map<string, Change | undefined>();
    for (const s of sides) {
      const ch = await c.setup?.(s);
      if (ch) await arrived(s.b, ch, sha(ch.bytes));
      cur.set(s.tool, ch);
    }
    const times = new Map<string, number[]>(sides.map((s) => [s.tool, []]));
    for (let i = 0; i < c.runs; i++) {
      const order = i % 2 === 0 ? sides : [...sides].reverse();
      for (const s of order) {
        const { change: ch, apply } = c.plan(s, i, cur.get(s.tool));
        const want = sha(ch.bytes);
        await new Promise((r) => setTimeout(r, 300)); // the previous change's after-effects (the receiver's own pass) die down
        const t0 = performance.now();
        await apply();
        times.get(s.tool)!.push((await arrived(s.b, ch, want)) - t0);
        cur.set(s.tool, ch);
      }
    }
    const cell = (xs: number[]) => `${pct(xs, 50).toFixed(0).padStart(6)} / ${pct(xs, 90).toFixed(0).padStart(6)} / ${Math.min(...xs).toFixed(0).padStart(5)}`;
    const row = `  ${c.label.padEnd(42)} ${sides.map((s) => `${s.tool} ${cell(times.get(s.tool)!)}`).join('   ')}   (${c.runs} runs)`;
    console.log(row);
    rows.push(row);
  }
} finally {
  await st?.stop();
  await tmp?.remove();
  await w.cleanup();
}
