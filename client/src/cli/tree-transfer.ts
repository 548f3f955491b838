/**
 * put and get of one file, and of folders (`-r`). `put -r` (issue 20): the remote side of the
 * tree is read once (a listing per folder that exists there), the missing folders made, then
 * small files (≤ BATCH_FILE_BYTES) go as a pipeline of batches — each read once and hashed,
 * then many files in three requests (missing blocks, packs, one commit of all of them:
 * transfer/batch-pipeline.ts, the sync agent's pipeline) with several batches in flight — and
 * bigger files one at a time through the per-file delta path. Either way an interrupted run,
 * run again, sends only what is missing (files already there with the same content are
 * skipped; blocks the server has are never sent again). A file the server refuses (a name, a
 * conflict, the quota) is reported on its own line and the others go on; the command then
 * exits with the failures' code (failure.ts PartialFailure). One line per file, unless --json.
 */
import { lstat, mkdir, readdir, stat, utimes } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { BatchCommitResult, FileView } from '@coffer/protocol';
import type { CofferApi } from '../api/client.js';
import { ApiError } from '../api/errors.js';
import { replaceFile } from '../transfer/atomic-write.js';
import { BATCH_DOWNLOAD_FILE_BYTES, batchDownloadApi, downloadInBatches, type WantedFile } from '../transfer/batch-download.js';
import { BatchPipeline, type BatchAnswer } from '../transfer/batch-pipeline.js';
import { BATCH_FILE_BYTES, readSmall, resultError, type BatchItem } from '../transfer/batch-upload.js';
import { blockListOf, contentHashOf } from '../transfer/blocks.js';
import { downloadFile } from '../transfer/download.js';
import { nodeReadable } from '../transfer/file-handle.js';
import type { TransferStats } from '../transfer/stats.js';
import { FileChangedError, uploadFile } from '../transfer/upload.js';
import { remoteJoin } from './context.js';
import { ConflictError, describeFailure } from './failure.js';
import { humanSize } from './format.js';
import { note, print } from './output.js';
import type { ProgressBar } from './progress.js';
import { serverInUse } from './server-in-use.js';

export interface Item {
  local: string;
  remote: string;
  rev: number;
  size: number;
  upToDate?: boolean;
  blocksSent?: number;
  bytesSent?: number;
}

/** A file or folder `put -r` could not upload (the CliTransferFailure of @coffer/protocol). */
export interface Failed {
  local: string;
  remote: string;
  code: string;
  message: string;
}

export interface TreeResult {
  items: Item[];
  failed: Failed[];
  /** The failures' exit codes (failure.ts), in the order they came. */
  exits: number[];
  /** Files and folders looked at. */
  entries: number;
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
  print(uploadedLine(item));
  return item;
}

function uploadedLine(i: Item): string {
  return `Uploaded ${i.local} to ${i.remote} (rev ${i.rev}, ${humanSize(i.size)}; sent ${i.blocksSent ?? 0} block(s), ${humanSize(i.bytesSent ?? 0)})`;
}

export async function getFile(api: CofferApi, remote: string, local: string, o: Common & { rev?: number }): Promise<Item> {
  const done = await downloadFile(api, remote, local, { rev: o.rev, stats: o.stats, onProgress: o.bar.update });
  print(done.upToDate ? `${local} is already up to date (rev ${done.rev}, ${humanSize(done.size)})` : `Downloaded ${remote} (rev ${done.rev}, ${humanSize(done.size)}) to ${local}`);
  return { local, remote, rev: done.rev, size: done.size, upToDate: done.upToDate };
}

interface LocalFile {
  path: string;
  size: number;
}

/** Files and folders under `dir`, parents first (symbolic links are not followed). */
async function walkLocal(dir: string): Promise<{ dirs: string[]; files: LocalFile[] }> {
  const dirs: string[] = [];
  const files: LocalFile[] = [];
  const visit = async (d: string) => {
    for (const e of (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        dirs.push(p);
        await visit(p);
      } else if (e.isFile()) files.push({ path: p, size: (await lstat(p)).size });
    }
  };
  await visit(dir);
  return { dirs, files };
}

function remoteOf(root: string, target: string, p: string): string {
  return relative(root, p).split(/[\\/]/).reduce(remoteJoin, target);
}

/** Names are unique per folder whatever their case (DESIGN §4): the picture is looked up the same way. */
const keyOf = (path: string) => path.normalize('NFC').toLowerCase();

/** The remote entries of `target` and of the folders under it that the local tree has: one listing per such folder. */
async function remotePicture(api: CofferApi, target: string, dirs: readonly string[]): Promise<Map<string, FileView>> {
  const picture = new Map<string, FileView>();
  const top = await api.stat(target);
  if (top) picture.set(keyOf(target), top);
  for (const d of [target, ...dirs]) {
    if (!picture.get(keyOf(d))?.isDir) continue;
    for (const e of await api.list(d)) picture.set(keyOf(e.path), e);
  }
  return picture;
}

/** A failure that is one file's own (it is reported and the others go on); anything else (the network, the server failing, the sign-in) stops the command. */
function fileLevel(err: unknown): boolean {
  if (err instanceof ConflictError || err instanceof FileChangedError) return true;
  if (err instanceof ApiError) return err.status === 507 || (err.status >= 400 && err.status < 500 && err.status !== 401 && err.status !== 429);
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'EACCES' || code === 'EPERM' || code === 'EISDIR' || code === 'ELOOP';
}

function failureCode(err: unknown): string {
  if (err instanceof ApiError) return err.code;
  if (err instanceof ConflictError) return 'conflict';
  if (err instanceof FileChangedError) return 'changed';
  return 'local';
}

interface Queued extends BatchItem {
  index: number;
  local: string;
  /** Sent again once after a 'missing_blocks' answer (a block collected between asking and committing). */
  retried?: boolean;
}

export async function putTree(api: CofferApi, root: string, target: string, o: Common & { overwrite: boolean }): Promise<TreeResult> {
  const { dirs, files } = await walkLocal(root);
  const remoteDirs = dirs.map((d) => remoteOf(root, target, d));
  const picture = await remotePicture(api, target, remoteDirs);
  const result: TreeResult = { items: [], failed: [], exits: [], entries: dirs.length + files.length };
  const items: (Item | undefined)[] = [];
  const fail = async (local: string, remote: string, err: unknown, own = false) => {
    if (!own && !fileLevel(err)) throw err;
    const f = await describeFailure(err, serverInUse());
    o.bar.done();
    note(`coffer put: ${remote}: ${f.message}`);
    result.failed.push({ local, remote, code: failureCode(err), message: f.message });
    result.exits.push(f.code);
  };

  // Folders, parents first; a folder that cannot be made is reported once, with nothing under it tried.
  const refused: string[] = [];
  const underRefused = (p: string) => refused.some((r) => keyOf(p).startsWith(keyOf(r) + '/'));
  for (const [i, d] of [target, ...remoteDirs].entries()) {
    if (underRefused(d)) continue;
    const there = picture.get(keyOf(d));
    try {
      if (there && !there.isDir) throw new ConflictError(i === 0 ? `${d} is a file, not a folder` : 'is a file, not a folder');
      if (!there) await api.mkdir(d, true);
    } catch (err) {
      if (i === 0) throw err;
      await fail(dirs[i - 1]!, d, err);
      refused.push(d);
    }
  }

  let filesDone = 0;
  let smallDone = 0;
  const smallTotal = files.reduce((n, f) => n + (f.size <= BATCH_FILE_BYTES ? f.size : 0), 0);
  const counted = () => {
    filesDone++;
    o.bar.files = `${filesDone}/${files.length} files`;
  };
  const pipeline = new BatchPipeline<Queued>(api, { stats: o.stats });
  const settleBatch = async (a: BatchAnswer<Queued>) => {
    if ('error' in a) throw a.error;
    // Each block sent is put down to the first file of the batch that has it.
    const owed = new Set(a.sent);
    for (const [k, q] of a.batch.entries()) {
      const r: BatchCommitResult = a.results[k]!;
      if (!r.ok && r.error.code === 'missing_blocks' && !q.retried) {
        await pipeline.add({ ...q, retried: true });
        continue;
      }
      const mine = q.read.blocks.filter((b) => owed.delete(b.hash));
      if (!r.ok) {
        await fail(q.local, q.commit.path, resultError(r), true);
      } else {
        const item = { local: q.local, remote: r.file.path, rev: r.file.rev, size: r.file.size, blocksSent: mine.length, bytesSent: mine.reduce((n, b) => n + b.size, 0) };
        items[q.index] = item;
        print(uploadedLine(item));
      }
      counted();
      o.bar.update('uploading', (smallDone += q.commit.size), smallTotal);
    }
  };
  const settle = async () => {
    for (let a = pipeline.nextAnswer(); a; a = pipeline.nextAnswer()) await settleBatch(a);
  };

  try {
    for (const [index, file] of files.entries()) {
      const dest = remoteOf(root, target, file.path);
      if (underRefused(dest)) continue;
      o.bar.label = relative(root, file.path);
      try {
        const existing = picture.get(keyOf(dest));
        if (existing?.isDir) throw new ConflictError('is a folder');
        const same = (hash: string) => !!existing && !existing.pending && existing.contentHash === hash;
        const refuse = () => {
          if (existing && !o.overwrite) throw new ConflictError(`exists (rev ${existing.rev}) with other content; use --overwrite to replace it with a new revision`);
        };
        const upToDate = (size: number) => {
          // Already there (a run interrupted before, or unchanged): nothing to send.
          items[index] = { local: file.path, remote: existing!.path, rev: existing!.rev, size, upToDate: true, blocksSent: 0, bytesSent: 0 };
          print(`${existing!.path} is already up to date (rev ${existing!.rev})`);
          counted();
        };
        if (file.size > BATCH_FILE_BYTES) {
          if (existing && same(contentHashOf(await blockListOf(file.path)))) {
            upToDate(file.size);
          } else {
            refuse();
            items[index] = await putFile(api, file.path, dest, { ...o, baseRev: existing ? existing.rev : null });
            o.bar.done();
            counted();
          }
        } else {
          const read = await readSmall(nodeReadable(file.path, { small: true }));
          if (!read.stable || read.stat.kind !== 'file') throw new FileChangedError(file.path);
          if (read.stat.size > BATCH_FILE_BYTES) throw new FileChangedError(file.path);
          if (same(read.contentHash)) upToDate(read.stat.size);
          else {
            refuse();
            const commit = { path: dest, size: read.stat.size, blocks: read.blocks, baseRev: existing ? existing.rev : null, mtime: read.stat.mtimeMs, onConflict: 'fail' as const };
            await pipeline.add({ index, local: file.path, read, commit });
          }
        }
      } catch (err) {
        await fail(file.path, dest, err);
        counted();
      }
      await settle();
    }
    // Retries of 'missing_blocks' join the pipeline while it is settled: until nothing is left.
    while (!pipeline.idle()) {
      await pipeline.finish();
      await settle();
    }
  } catch (err) {
    await pipeline.quiesce();
    throw err;
  }
  result.items = items.filter((i): i is Item => i !== undefined);
  return result;
}

/** Every file under a remote folder, with its local path. */
async function walkRemote(api: CofferApi, remote: string, local: string): Promise<{ dirs: string[]; files: RemoteFile[] }> {
  const dirs: string[] = [local];
  const files: RemoteFile[] = [];
  for (const e of await api.list(remote)) {
    const l = join(local, e.name);
    if (e.isDir) {
      const sub = await walkRemote(api, e.path, l);
      dirs.push(...sub.dirs);
      files.push(...sub.files);
    } else if (!e.pending || e.rev > 0) files.push({ remote: e.path, local: l, view: e });
  }
  return { dirs, files };
}

interface RemoteFile {
  remote: string;
  local: string;
  view: FileView;
}

interface Wanted extends WantedFile {
  index: number;
  file: RemoteFile;
  mode: number;
}

/** Files written at once from fetched batches: their fsyncs overlap. */
const WRITES_AT_ONCE = 8;

/**
 * `get -r` (issue 20): small files (≤ BATCH_DOWNLOAD_FILE_BYTES) whose local copy differs come in
 * batches (transfer/batch-download.ts: two requests a batch, several in flight), each written
 * like any download — a temp file beside it, fsync, rename, the remote mtime kept — once its
 * blocks matched their hashes and its list the listed content hash. Bigger files, and a file a
 * batch could not serve (changed meanwhile), take the per-file path.
 */
export async function getTree(api: CofferApi, remote: string, local: string, o: Common): Promise<Item[]> {
  const { dirs, files } = await walkRemote(api, remote, local);
  for (const d of dirs) await mkdir(d, { recursive: true });
  const items: (Item | undefined)[] = [];
  let filesDone = 0;
  const counted = () => {
    filesDone++;
    o.bar.files = `${filesDone}/${files.length} files`;
  };
  const one = async (i: number, f: RemoteFile) => {
    o.bar.label = relative(local, f.local);
    items[i] = await getFile(api, f.remote, f.local, o);
    o.bar.done();
    counted();
  };
  const alone: number[] = [];
  const batched: Wanted[] = [];
  for (const [index, f] of files.entries()) {
    const v = f.view;
    if (v.size > BATCH_DOWNLOAD_FILE_BYTES || v.rev === 0 || v.contentHash === null) {
      alone.push(index);
      continue;
    }
    const st = await stat(f.local).catch(() => undefined);
    if (st && !st.isFile()) {
      alone.push(index); // the per-file path says what is in the way
      continue;
    }
    if (st && st.size === v.size && contentHashOf(await blockListOf(f.local)) === v.contentHash) {
      await utimes(f.local, new Date(), new Date(v.modifiedAt));
      o.stats.blocksReused++;
      print(`${f.local} is already up to date (rev ${v.rev}, ${humanSize(v.size)})`);
      items[index] = { local: f.local, remote: f.remote, rev: v.rev, size: v.size, upToDate: true };
      counted();
      continue;
    }
    batched.push({ index, file: f, id: v.id, rev: v.rev, size: v.size, contentHash: v.contentHash, mode: st ? st.mode & 0o777 : 0o666 });
  }

  const bulk = batchDownloadApi(api);
  if (bulk && batched.length > 0) {
    const total = batched.reduce((n, w) => n + w.size, 0);
    let bytesDone = 0;
    o.bar.label = relative(local, batched[0]!.file.local) || '.';
    await downloadInBatches(
      bulk,
      batched,
      async (w, outcome) => {
        if (!outcome.ok) return one(w.index, w.file); // gone or changed meanwhile: the per-file path answers for it
        const { data, blocks } = outcome.content;
        await replaceFile(
          w.file.local,
          async (fh) => {
            for (const d of data) await fh.write(d);
          },
          { mode: w.mode, mtime: new Date(w.file.view.modifiedAt) },
        );
        print(`Downloaded ${w.file.remote} (rev ${blocks.rev}, ${humanSize(blocks.size)}) to ${w.file.local}`);
        items[w.index] = { local: w.file.local, remote: w.file.remote, rev: blocks.rev, size: blocks.size, upToDate: false };
        counted();
        o.bar.update('downloading', (bytesDone += w.size), total);
      },
      { stats: o.stats, settleConcurrency: WRITES_AT_ONCE },
    );
    o.bar.done();
  } else alone.push(...batched.map((w) => w.index));

  for (const i of alone.sort((a, b) => a - b)) await one(i, files[i]!);
  return items.filter((i): i is Item => i !== undefined);
}
