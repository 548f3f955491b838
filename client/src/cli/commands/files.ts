/** Tree commands: `ls`, `mkdir`, `mv`, `rm` (to the trash). */
import { CliEntries, CliList, CliTrashed, type FileView } from '@coffer/protocol';
import { jsonOutput, printJson } from '../output.js';
import { UsageError } from '../../api/errors.js';
import { humanDate, humanSize, table } from '../format.js';
import { openSession, parse, print, remoteJoin, remotePath } from '../context.js';

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

export async function ls(args: string[]): Promise<void> {
  const { values: v, positionals } = parse(args, { long: { type: 'boolean', short: 'l' } }, { min: 0, max: 1, usage: 'coffer ls [PATH] [-l]' });
  const path = remotePath(positionals[0] ?? '/');
  const { api } = await openSession();
  try {
    const entry = path === '/' ? undefined : await api.metadata(path);
    const entries: FileView[] = entry && !entry.isDir ? [entry] : await api.list(path);
    if (jsonOutput()) return printJson(CliList, { entries });
    if (!v.long) {
      for (const e of entries) print(e.isDir ? `${e.name}/` : e.name);
      return;
    }
    const rows = entries.map((e) => [
      e.isDir ? 'dir' : 'file',
      e.isDir ? '-' : humanSize(e.size),
      humanDate(e.modifiedAt),
      e.isDir ? '-' : `rev ${e.rev}${e.pending ? ' (uploading)' : ''}`,
      e.isDir ? `${e.name}/` : e.name,
    ]);
    if (rows.length) print(table(rows));
  } finally {
    api.close();
  }
}

export async function mkdir(args: string[]): Promise<void> {
  const { values: v, positionals } = parse(args, { parents: { type: 'boolean', short: 'p' } }, { min: 1, max: Infinity, usage: 'coffer mkdir [-p] PATH...' });
  const { api } = await openSession();
  try {
    const made: FileView[] = [];
    for (const p of positionals) {
      made.push(await api.mkdir(remotePath(p), v.parents === true));
      print(`Created ${made.at(-1)!.path}/`);
    }
    if (jsonOutput()) printJson(CliEntries, { entries: made });
  } finally {
    api.close();
  }
}

export async function mv(args: string[]): Promise<void> {
  const { positionals } = parse(args, {}, { min: 2, max: 2, usage: 'coffer mv FROM TO' });
  const from = remotePath(positionals[0]!);
  let to = remotePath(positionals[1]!);
  const { api } = await openSession();
  try {
    // As mv(1): a move onto an existing folder goes into it.
    const target = to === '/' ? { isDir: true } : await api.stat(to);
    if (target?.isDir) to = remoteJoin(to, baseName(from));
    const moved = await api.move(from, to);
    print(`Moved ${from} to ${moved.path}`);
    if (jsonOutput()) printJson(CliEntries, { entries: [moved] });
  } finally {
    api.close();
  }
}

export async function rm(args: string[]): Promise<void> {
  const { positionals } = parse(args, {}, { min: 1, max: Infinity, usage: 'coffer rm PATH...' });
  const { api } = await openSession();
  try {
    const trashed: string[] = [];
    for (const p of positionals) {
      const path = remotePath(p);
      if (path === '/') throw new UsageError('refusing to delete the root folder');
      await api.delete(path);
      trashed.push(path);
      print(`Moved ${path} to the trash`);
    }
    if (jsonOutput()) printJson(CliTrashed, { trashed });
  } finally {
    api.close();
  }
}
