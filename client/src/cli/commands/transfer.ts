/** `put LOCAL [REMOTE]` and `get REMOTE [LOCAL]` (folders with -r): delta transfers with a progress bar. */
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CliTransfer } from '@coffer/protocol';
import type { CofferApi } from '../../api/client.js';
import { UsageError } from '../../api/errors.js';
import { TransferStats } from '../../transfer/stats.js';
import { ConflictError, PartialFailure } from '../failure.js';
import { jsonOutput, printJson } from '../output.js';
import { ProgressBar } from '../progress.js';
import { note, openSession, parse, remoteJoin, remotePath } from '../context.js';
import { getFile, getTree, putFile, putTree, type Failed, type Item } from '../tree-transfer.js';
import { positiveInt } from './revisions.js';

function printStats(api: CofferApi, stats: TransferStats): void {
  note(JSON.stringify(stats.toJSON(api.http.traffic())));
}

function printResult(items: Item[], failed?: Failed[]): void {
  if (jsonOutput()) printJson(CliTransfer, { files: items, ...(failed && failed.length > 0 ? { failed } : {}) });
}

export async function put(args: string[]): Promise<void> {
  const { values: v, positionals } = parse(
    args,
    { overwrite: { type: 'boolean', short: 'f' }, 'base-rev': { type: 'string' }, stats: { type: 'boolean' }, recursive: { type: 'boolean', short: 'r' } },
    { min: 1, max: 2, usage: 'coffer put LOCAL [REMOTE] [-r] [--overwrite | --base-rev N] [--stats]' },
  );
  const local = positionals[0]!;
  const baseRevGiven = v['base-rev'] === undefined ? undefined : Number.parseInt(v['base-rev'], 10);
  if (v['base-rev'] !== undefined && !(/^\d+$/.test(v['base-rev']) && baseRevGiven! >= 0)) throw new UsageError(`--base-rev must be a revision number, got ${v['base-rev']}`);
  const info = await stat(local).catch(() => undefined);
  if (!info) throw new Error(`${local}: no such file or folder`);
  if (info.isDirectory() && !v.recursive) throw new UsageError(`${local} is a folder: add -r to upload it and everything in it`);
  if (info.isDirectory() && baseRevGiven !== undefined) throw new UsageError('--base-rev names one file\'s revision: not with -r');
  if (!info.isDirectory() && !info.isFile()) throw new Error(`${local} is neither a file nor a folder`);

  const { api } = await openSession();
  const stats = new TransferStats();
  try {
    const raw = positionals[1] ?? '/';
    let target = remotePath(raw);
    let existing = target === '/' ? undefined : await api.stat(target);
    // A file: like cp, a folder (or a name ending in /) as target means "into it, same name".
    // A folder (-r): REMOTE is that folder itself (as rsync and rclone have it, so running the
    // same command again resumes), unless it ends in / or is not given: then into it.
    const into = info.isDirectory() ? target === '/' || raw.endsWith('/') : target === '/' || raw.endsWith('/') || existing?.isDir;
    if (into) {
      target = remoteJoin(target, basename(local));
      existing = await api.stat(target);
    }
    const bar = new ProgressBar(basename(local));
    try {
      if (info.isDirectory()) {
        if (existing && !existing.isDir) throw new ConflictError(`${target} is a file, not a folder`);
        const tree = await putTree(api, local, target, { overwrite: v.overwrite === true, stats, bar });
        printResult(tree.items, tree.failed);
        // Each failure had its line; the others are done. The exit code says that not all went.
        if (tree.failed.length > 0) throw new PartialFailure(tree.failed.length, tree.entries, tree.exits);
        return;
      }
      if (existing?.isDir) throw new Error(`${target} is a folder`);
      let baseRev: number | null = null;
      if (baseRevGiven !== undefined) baseRev = baseRevGiven;
      else if (existing && v.overwrite) baseRev = existing.rev;
      else if (existing) throw new ConflictError(`${target} exists (rev ${existing.rev}); use --overwrite to replace it with a new revision`);
      printResult([await putFile(api, local, target, { baseRev, stats, bar })]);
    } finally {
      bar.done();
    }
  } finally {
    if (v.stats) printStats(api, stats);
    api.close();
  }
}

export async function get(args: string[]): Promise<void> {
  const { values: v, positionals } = parse(
    args,
    { rev: { type: 'string' }, stats: { type: 'boolean' }, recursive: { type: 'boolean', short: 'r' } },
    { min: 1, max: 2, usage: 'coffer get REMOTE [LOCAL] [-r] [--rev N] [--stats]' },
  );
  const remote = remotePath(positionals[0]!);
  const rev = v.rev === undefined ? undefined : positiveInt(v.rev, '--rev');
  const name = remote.slice(remote.lastIndexOf('/') + 1);
  if (!name && !v.recursive) throw new UsageError('give a file to get, not the root folder (or -r for everything)');
  let local = positionals[1] ?? (name || 'coffer');
  // Like cp: an existing local folder as target means "into it, same name".
  if (positionals[1] !== undefined && (await stat(local).catch(() => undefined))?.isDirectory()) local = join(local, name || 'coffer');

  const { api } = await openSession();
  const stats = new TransferStats();
  try {
    const entry = remote === '/' ? undefined : await api.metadata(remote);
    const isDir = remote === '/' || entry!.isDir;
    if (isDir && !v.recursive) throw new UsageError(`${remote} is a folder: add -r to download it and everything in it`);
    if (isDir && rev !== undefined) throw new UsageError('--rev names one file\'s revision: not with -r');
    const bar = new ProgressBar(name || '/');
    try {
      printResult(isDir ? await getTree(api, remote, local, { stats, bar }) : [await getFile(api, remote, local, { rev, stats, bar })]);
    } finally {
      bar.done();
    }
  } finally {
    if (v.stats) printStats(api, stats);
    api.close();
  }
}
