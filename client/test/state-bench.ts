/**
 * The state bench (`npm run bench:sync-state`, scripts/bench-sync-state.ts): the sync agent's state (client/src/sync/state.ts) at
 * scale, without a server or real files — what a first sync leaves (a base and a remote row per
 * path, saved batch by batch as the agent saves), then what a restart does with it: open, load the
 * remote picture, read every base once in bulk and each path's base a few times in path order (as
 * a pass does). Prints the state.db size (with its WAL), the times and the peak RSS. Issue 21
 * wants 1,000,000 files without the state growing past a few hundred MiB.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFs } from '../src/sync/node-fs.js';
import { RemoteTree } from '../src/sync/remote.js';
import { STATE_DB, SyncState } from '../src/sync/state.js';

/** Writes `o.files` paths' state, restarts on it, and answers the figures as one line. */
export async function stateBench(o: { files: number; 'per-folder': number }): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-state-bench-'));
  const fs = nodeFs(dir);
  const db = join(dir, STATE_DB);
  const mib = (n: number) => (n / 2 ** 20).toFixed(1);
  const size = (p: string) => {
    try {
      return statSync(p).size;
    } catch {
      return 0;
    }
  };
  const hash = (i: number) => (i % 100 ? 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' : i.toString(16).padStart(64, '0'));
  const pathOf = (i: number) => `d${Math.floor(i / o['per-folder'])}/f${i}.txt`;

  try {
    let t0 = performance.now();
    const s = await SyncState.open(fs, '/scale', db);
    const tree = new RemoteTree();
    for (let i = 0; i < o.files; i++) {
      const p = pathOf(i);
      if (i % o['per-folder'] === 0) {
        const d = p.slice(0, p.indexOf('/'));
        s.set(d, { isDir: true, fileId: `dir-${d}`, rev: 0, contentHash: null, size: 0, ino: i, mtimeMs: 1 });
        tree.set(d, { isDir: true, id: `dir-${d}`, rev: 0, contentHash: null, size: 0, mtimeMs: 1 });
      }
      s.set(p, { isDir: false, fileId: `file-${i}`, rev: 1, contentHash: hash(i), size: i % 100 ? 0 : 8, ino: 1_000_000 + i, mtimeMs: 1_700_000_000_000 + i });
      tree.set(p, { isDir: false, id: `file-${i}`, rev: 1, contentHash: hash(i), size: i % 100 ? 0 : 8, mtimeMs: 1_700_000_000_000 + i });
      if (i % 500 === 499) await s.save(); // one save per upload batch, as the agent does
    }
    s.saveRemote(o.files, 'root', tree);
    await s.save();
    const written = performance.now() - t0;
    s.close();
    const dbBytes = size(db) + size(`${db}-wal`);
    const rssWrite = process.resourceUsage().maxRSS * 1024;

    t0 = performance.now();
    const r = await SyncState.open(fs, '/scale', db);
    const picture = new RemoteTree();
    const saved = r.loadRemote(picture);
    const opened = performance.now() - t0;
    const all = r.entries();
    const bulk = performance.now() - t0;
    let found = 0;
    for (const p of picture.paths()) for (let k = 0; k < 4; k++) if (r.get(p)) found++;
    const restart = performance.now() - t0;
    r.close();
    return (
      `[state] ${o.files} files: written ${(written / 1000).toFixed(1)} s, state.db + WAL ${mib(dbBytes)} MiB, peak RSS so far ${mib(rssWrite)} MiB; ` +
        `restart: open + remote picture (${picture.size} rows, cursor ${saved?.cursor}) ${(opened / 1000).toFixed(2)} s, every base in bulk (${all.length}) ${((bulk - opened) / 1000).toFixed(2)} s, ` +
        `4 point reads per path (${found}) ${((restart - bulk) / 1000).toFixed(2)} s, total ${(restart / 1000).toFixed(2)} s; peak RSS ${mib(process.resourceUsage().maxRSS * 1024)} MiB`
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
