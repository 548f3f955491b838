/**
 * put and get of one file, and of folders (`-r`): a folder is walked and each file goes through
 * the same per-file delta path, so an interrupted `put -r` or `get -r` run again sends only what
 * is missing (files already there with the same content are skipped; blocks the server has are
 * never sent again). One line per file, unless --json.
 */
import { lstat, mkdir, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { CofferApi } from '../api/client.js';
import { blockListOf, contentHashOf } from '../transfer/blocks.js';
import { downloadFile } from '../transfer/download.js';
import type { TransferStats } from '../transfer/stats.js';
import { uploadFile } from '../transfer/upload.js';
import { remoteJoin } from './context.js';
import { ConflictError } from './failure.js';
import { humanSize } from './format.js';
import { print } from './output.js';
import type { ProgressBar } from './progress.js';

export interface Item {
  local: string;
  remote: string;
  rev: number;
  size: number;
  upToDate?: boolean;
  blocksSent?: number;
  bytesSent?: number;
}

interface Common {
  stats: TransferStats;
  bar: ProgressBar;
}

export async function putFile(api: CofferApi, local: string, target: string, o: Common & { baseRev: number | null }): Promise<Item> {
  const blocksBefore = o.stats.blocksSent;
  const bytesBefore = o.stats.blockBytesSent;
  const done = (await uploadFile(api, local, target, { baseRev: o.baseRev, stats: o.stats, onProgress: o.bar.update })).answer;
  const item = { local, remote: done.path, rev: done.rev, size: done.size, blocksSent: o.stats.blocksSent - blocksBefore, bytesSent: o.stats.blockBytesSent - bytesBefore };
  print(`Uploaded ${local} to ${done.path} (rev ${done.rev}, ${humanSize(done.size)}; sent ${item.blocksSent} block(s), ${humanSize(item.bytesSent)})`);
  return item;
}

export async function getFile(api: CofferApi, remote: string, local: string, o: Common & { rev?: number }): Promise<Item> {
  const done = await downloadFile(api, remote, local, { rev: o.rev, stats: o.stats, onProgress: o.bar.update });
  print(done.upToDate ? `${local} is already up to date (rev ${done.rev}, ${humanSize(done.size)})` : `Downloaded ${remote} (rev ${done.rev}, ${humanSize(done.size)}) to ${local}`);
  return { local, remote, rev: done.rev, size: done.size, upToDate: done.upToDate };
}

/** Files and folders under `dir`, parents first (symbolic links are not followed). */
async function walkLocal(dir: string): Promise<{ dirs: string[]; files: string[] }> {
  const dirs: string[] = [];
  const files: string[] = [];
  const visit = async (d: string) => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        dirs.push(p);
        await visit(p);
      } else if (e.isFile()) files.push(p);
    }
  };
  await visit(dir);
  return { dirs, files };
}

function remoteOf(root: string, target: string, p: string): string {
  return relative(root, p).split(/[\\/]/).reduce(remoteJoin, target);
}

export async function putTree(api: CofferApi, root: string, target: string, o: Common & { overwrite: boolean }): Promise<Item[]> {
  const { dirs, files } = await walkLocal(root);
  for (const d of [target, ...dirs.map((d) => remoteOf(root, target, d))]) {
    const there = await api.stat(d);
    if (there && !there.isDir) throw new ConflictError(`${d} is a file, not a folder`);
    if (!there) await api.mkdir(d, true);
  }
  const items: Item[] = [];
  for (const [i, file] of files.entries()) {
    o.bar.label = relative(root, file);
    o.bar.files = `${i + 1}/${files.length} files`;
    const dest = remoteOf(root, target, file);
    const existing = await api.stat(dest);
    if (existing?.isDir) throw new ConflictError(`${dest} is a folder`);
    if (existing && !existing.pending && existing.contentHash === contentHashOf(await blockListOf(file))) {
      // Already there (a run interrupted before, or unchanged): nothing to send.
      const size = (await lstat(file)).size;
      items.push({ local: file, remote: dest, rev: existing.rev, size, upToDate: true, blocksSent: 0, bytesSent: 0 });
      print(`${dest} is already up to date (rev ${existing.rev})`);
      continue;
    }
    if (existing && !o.overwrite) throw new ConflictError(`${dest} exists (rev ${existing.rev}) with other content; use --overwrite to replace it with a new revision`);
    items.push(await putFile(api, file, dest, { ...o, baseRev: existing ? existing.rev : null }));
    o.bar.done();
  }
  return items;
}

/** Every file under a remote folder, with its local path. */
async function walkRemote(api: CofferApi, remote: string, local: string): Promise<{ dirs: string[]; files: { remote: string; local: string }[] }> {
  const dirs: string[] = [local];
  const files: { remote: string; local: string }[] = [];
  for (const e of await api.list(remote)) {
    const l = join(local, e.name);
    if (e.isDir) {
      const sub = await walkRemote(api, e.path, l);
      dirs.push(...sub.dirs);
      files.push(...sub.files);
    } else if (!e.pending || e.rev > 0) files.push({ remote: e.path, local: l });
  }
  return { dirs, files };
}

export async function getTree(api: CofferApi, remote: string, local: string, o: Common): Promise<Item[]> {
  const { dirs, files } = await walkRemote(api, remote, local);
  for (const d of dirs) await mkdir(d, { recursive: true });
  const items: Item[] = [];
  for (const [i, f] of files.entries()) {
    o.bar.label = relative(local, f.local);
    o.bar.files = `${i + 1}/${files.length} files`;
    items.push(await getFile(api, f.remote, f.local, o));
    o.bar.done();
  }
  return items;
}
