/** `put LOCAL [REMOTE]` and `get REMOTE [LOCAL]`: delta transfers with a progress bar. */
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { CofferApi } from '../../api/client.js';
import { UsageError } from '../../api/errors.js';
import { downloadFile } from '../../transfer/download.js';
import { TransferStats } from '../../transfer/stats.js';
import { uploadFile } from '../../transfer/upload.js';
import { CliTransfer } from '@coffer/protocol';
import { humanSize } from '../format.js';
import { ConflictError } from '../failure.js';
import { jsonOutput, printJson } from '../output.js';
import { ProgressBar } from '../progress.js';
import { note, openSession, parse, print, remoteJoin, remotePath } from '../context.js';
import { positiveInt } from './revisions.js';

function printStats(api: CofferApi, stats: TransferStats): void {
  note(JSON.stringify(stats.toJSON(api.http.traffic())));
}

export async function put(args: string[]): Promise<void> {
  const { values: v, positionals } = parse(
    args,
    { overwrite: { type: 'boolean', short: 'f' }, 'base-rev': { type: 'string' }, stats: { type: 'boolean' } },
    { min: 1, max: 2, usage: 'coffer put LOCAL [REMOTE] [--overwrite | --base-rev N] [--stats]' },
  );
  const local = positionals[0]!;
  const baseRevGiven = v['base-rev'] === undefined ? undefined : Number.parseInt(v['base-rev'], 10);
  if (v['base-rev'] !== undefined && !(/^\d+$/.test(v['base-rev']) && baseRevGiven! >= 0)) throw new UsageError(`--base-rev must be a revision number, got ${v['base-rev']}`);
  const info = await stat(local).catch(() => undefined);
  if (!info?.isFile()) throw new Error(`${local}: no such file (folders are not uploaded by put yet)`);

  const { api } = await openSession();
  const stats = new TransferStats();
  try {
    let target = remotePath(positionals[1] ?? '/');
    const raw = positionals[1] ?? '/';
    let existing = target === '/' ? undefined : await api.stat(target);
    // Like cp: a folder (or a name ending in /) as target means "into it, same name".
    if (target === '/' || raw.endsWith('/') || existing?.isDir) {
      target = remoteJoin(target, basename(local));
      existing = await api.stat(target);
    }
    if (existing?.isDir) throw new Error(`${target} is a folder`);
    let baseRev: number | null = null;
    if (baseRevGiven !== undefined) baseRev = baseRevGiven;
    else if (existing && v.overwrite) baseRev = existing.rev;
    else if (existing) throw new ConflictError(`${target} exists (rev ${existing.rev}); use --overwrite to replace it with a new revision`);

    const bar = new ProgressBar(basename(local));
    let done;
    try {
      done = (await uploadFile(api, local, target, { baseRev, stats, onProgress: bar.update })).answer;
    } finally {
      bar.done();
    }
    if (jsonOutput()) printJson(CliTransfer, { files: [{ local, remote: done.path, rev: done.rev, size: done.size, blocksSent: stats.blocksSent, bytesSent: stats.blockBytesSent }] });
    print(`Uploaded ${local} to ${done.path} (rev ${done.rev}, ${humanSize(done.size)}; sent ${stats.blocksSent} block(s), ${humanSize(stats.blockBytesSent)})`);
  } finally {
    if (v.stats) printStats(api, stats);
    api.close();
  }
}

export async function get(args: string[]): Promise<void> {
  const { values: v, positionals } = parse(
    args,
    { rev: { type: 'string', short: 'r' }, stats: { type: 'boolean' } },
    { min: 1, max: 2, usage: 'coffer get REMOTE [LOCAL] [--rev N] [--stats]' },
  );
  const remote = remotePath(positionals[0]!);
  const rev = v.rev === undefined ? undefined : positiveInt(v.rev, '--rev');
  const name = remote.slice(remote.lastIndexOf('/') + 1);
  if (!name) throw new UsageError('give a file to get, not the root folder');
  let local = positionals[1] ?? name;
  // Like cp: an existing local folder as target means "into it, same name".
  if ((await stat(local).catch(() => undefined))?.isDirectory()) local = join(local, name);

  const { api } = await openSession();
  const stats = new TransferStats();
  try {
    const bar = new ProgressBar(name);
    let done;
    try {
      done = await downloadFile(api, remote, local, { rev, stats, onProgress: bar.update });
    } finally {
      bar.done();
    }
    if (jsonOutput()) printJson(CliTransfer, { files: [{ local, remote, rev: done.rev, size: done.size, upToDate: done.upToDate }] });
    print(done.upToDate ? `${local} is already up to date (rev ${done.rev}, ${humanSize(done.size)})` : `Downloaded ${remote} (rev ${done.rev}, ${humanSize(done.size)}) to ${local}`);
  } finally {
    if (v.stats) printStats(api, stats);
    api.close();
  }
}
