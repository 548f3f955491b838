/**
 * npm run bench:wire [-- --size-mib 64 --cache DIR --dir DIR --only TEXT --tree-from 1 --agent-stats FILE]
 * (BENCH_WIRE_DEBUG=1: bytes each way and connections per case; BENCH_WIRE_TRACE=1: each run of
 * bytes one way, by connection — the handshake's flights, then each request and its answer)
 *
 * Bytes on the wire for one file's change (issue 21), through Coffer and through `rsync -z`,
 * both counted by the same TCP proxy (both directions; TLS, HTTP and rsync's protocol included).
 * Coffer: an HTTPS server (in process, PostgreSQL) and the client's upload as the sync agent
 * runs it — blocks the server lacks go as zstd deltas against the previous version's block at
 * the same place (kept in the device's block cache), else zstd, else raw; a rename is one move.
 * rsync: `rsync -rtz --delete` of the folder to an rsync daemon on 127.0.0.1. Each side first
 * gets the old version (not counted), then the change is sent (counted, on fresh connections).
 * `zstd --patch-from` is the floor for the content alone (no protocol).
 * Then the four tree upgrades of bench:tree's pinned snapshots (bench-wire/trees.ts): the real
 * agent (`coffer sync --once`) against `rsync -rtz --delete` of the same folder (`--only tree`
 * runs these alone).
 */
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WireDevice } from '@coffer/client/testing/wire-harness';
import { startTestServer } from '@coffer/server/testing/server';
import { countingProxy, type CountingProxy } from '@coffer/test-support/count-proxy';
import { wireCases, type WireCase } from './bench-wire/cases.js';
import { rsyncDaemon, rsyncPush } from './bench-wire/rsync.js';
import { treeUpgrades } from './bench-wire/trees.js';
import { scriptOptions } from './options.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const USAGE = 'npm run bench:wire [-- --size-mib 64 --cache DIR --dir DIR --only TEXT --tree-from 1 --agent-stats FILE]';
const opt = scriptOptions({ 'size-mib': 64, cache: join(ROOT, '.tmp', 'bench-tree'), dir: tmpdir(), only: '', 'tree-from': 1, 'agent-stats': '' }, USAGE);

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const fmt = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`);
const settle = () => new Promise((r) => setTimeout(r, 100)); // the last segments of closing connections

async function counted(proxy: CountingProxy, f: () => Promise<unknown>): Promise<number> {
  await settle();
  proxy.reset();
  await f();
  await settle();
  const { up, down, connections } = proxy.bytes();
  if (process.env.BENCH_WIRE_DEBUG) console.log(`    up ${up} B, down ${down} B, ${connections} connections`);
  // Each request and answer (TLS handshake flights first): where a case's bytes go.
  if (process.env.BENCH_WIRE_TRACE) console.log(`    ${proxy.trace().join(', ')}`);
  return up + down;
}

/** `zstd --patch-from`: the old version as the dictionary of the new (the content's floor, no protocol). */
async function patchFrom(work: string, c: WireCase): Promise<number | undefined> {
  if (c.renamedTo) return undefined;
  const [a, b] = [join(work, 'zstd-old'), join(work, 'zstd-new')];
  await writeFile(a, c.before);
  await writeFile(b, c.after);
  const { stdout } = await run('zstd', ['-q', '-3', `--patch-from=${a}`, b, '-c'], { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 });
  await rm(a);
  await rm(b);
  return stdout.length;
}

// The server's access lines would drown the table (the logger reads its level when first used).
process.env.COFFER_LOG_LEVEL ??= 'error';
const work = join(opt.dir, `coffer-bench-wire-${process.pid}`);
await mkdir(work, { recursive: true });
const cases = (await wireCases(opt.cache, opt['size-mib'])).filter((c) => c.name.includes(opt.only));
const runTrees = opt.only === '' || opt.only.startsWith('tree');
console.log(`bench:wire — ${cases.length} cases; work folder ${work}; corpus in ${opt.cache}`);

const srv = await startTestServer('postgres', { COFFER_PLAIN_HTTP: '0', COFFER_LOG_LEVEL: 'error' });
const cofferProxy = await countingProxy(Number(new URL(srv.url).port));
const rsyncRoot = join(work, 'rsync-daemon');
await mkdir(rsyncRoot, { recursive: true });
const daemon = await rsyncDaemon(rsyncRoot, work);
const rsyncProxy = await countingProxy(daemon.port);
const rows: { name: string; coffer: number; rsync: number; ideal: number | undefined }[] = [];
try {
  const trust = { fingerprint: new X509Certificate(await readFile(join(srv.dataDir, 'tls', 'cert.pem'), 'utf8')).fingerprint256 };
  const { token } = await srv.user();
  const url = `https://127.0.0.1:${cofferProxy.port}`;
  for (const [i, c] of cases.entries()) {
    const dir = join(work, `case-${i}`);
    const local = join(dir, 'coffer');
    const mirror = join(dir, 'rsync');
    await mkdir(local, { recursive: true });
    await mkdir(mirror, { recursive: true });

    // Coffer: the old version uploaded by this device (its blocks cached), then the change.
    const device = new WireDevice(url, trust, token, join(dir, 'block-cache'));
    await writeFile(join(local, c.file), c.before);
    const remote = `/case-${i}-${c.file}`;
    const v1 = await device.upload(join(local, c.file), remote);
    let coffer: number;
    if (c.renamedTo) {
      await rename(join(local, c.file), join(local, c.renamedTo));
      coffer = await counted(cofferProxy, () => device.rename(v1, `/case-${i}-${c.renamedTo}`));
    } else {
      await writeFile(join(local, c.file), c.after);
      coffer = await counted(cofferProxy, () => device.upload(join(local, c.file), remote, v1));
    }

    // rsync: the same change to the daemon's copy.
    await writeFile(join(mirror, c.file), c.before);
    await rsyncPush(mirror, rsyncProxy.port, daemon.module, `case-${i}`);
    if (c.renamedTo) await rename(join(mirror, c.file), join(mirror, c.renamedTo));
    else {
      await writeFile(join(mirror, c.file), c.after);
      // rsync's quick check compares whole seconds: an edit within the second of the copy must not look unchanged.
      const later = new Date(Date.now() + 10_000);
      await utimes(join(mirror, c.file), later, later);
    }
    const rsync = await counted(rsyncProxy, () => rsyncPush(mirror, rsyncProxy.port, daemon.module, `case-${i}`));
    const there = await readFile(join(rsyncRoot, `case-${i}`, c.renamedTo ?? c.file));
    if (sha(there) !== sha(c.after)) throw new Error(`${c.name}: rsync's copy is not the new version`);

    const ideal = await patchFrom(work, c);
    rows.push({ name: c.name, coffer, rsync, ideal });
    console.log(`  ${c.name}: Coffer ${fmt(coffer)} (${coffer} B), rsync -z ${fmt(rsync)} (${rsync} B)${ideal !== undefined ? `, zstd --patch-from ${fmt(ideal)}` : ''}`);
    await rm(dir, { recursive: true, force: true });
  }
  if (runTrees) {
    console.log('  tree upgrades (bench:tree corpus; snapshot 1 first, not counted):');
    const trees = await treeUpgrades({
      cache: opt.cache,
      work,
      cofferUrl: url,
      fingerprint: trust.fingerprint,
      // A user of their own: blocks the single-file cases uploaded (the same .deb versions) must not
      // dedupe the trees' uploads — rsync's tree module shares nothing with its single-file ones either.
      username: (await srv.user()).username,
      coffer: { counted: (f) => counted(cofferProxy, f) },
      rsync: { counted: (f) => counted(rsyncProxy, f), push: (dir, sub) => rsyncPush(dir, rsyncProxy.port, daemon.module, sub), root: rsyncRoot },
      log: (line) => console.log(line),
      first: opt['tree-from'] - 1,
      ...(opt['agent-stats'] ? { statsFile: opt['agent-stats'] } : {}),
    });
    for (const t of trees) rows.push({ name: `${t.name} (${t.changed} files, ${fmt(t.changedBytes)} changed)`, coffer: t.coffer, rsync: t.rsync, ideal: undefined });
  }
} finally {
  await rsyncProxy.close();
  await daemon.close();
  await cofferProxy.close();
  await srv.close();
  await rm(work, { recursive: true, force: true });
}

console.log('\n| case | Coffer (bytes on the wire) | rsync -z | Coffer / rsync | zstd --patch-from (content only) |');
console.log('|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.name} | ${fmt(r.coffer)} | ${fmt(r.rsync)} | ${(r.coffer / r.rsync).toFixed(3)} | ${r.ideal === undefined ? '—' : fmt(r.ideal)} |`);
}
const worse = rows.filter((r) => r.coffer > r.rsync);
console.log(worse.length ? `\nCoffer sends more than rsync -z in: ${worse.map((r) => r.name).join('; ')}` : '\nCoffer ≤ rsync -z in every case.');
