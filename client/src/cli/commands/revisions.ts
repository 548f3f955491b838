/** `revs PATH` (a file's revisions, newest first; `--keep REV` / `--unkeep REV` marks one to keep forever) and `restore PATH REV`. */
import { CliEntries, RevisionList } from '@coffer/protocol';
import { UsageError } from '../../api/errors.js';
import { jsonOutput, printJson } from '../output.js';
import { humanDate, humanSize, table } from '../format.js';
import { openSession, parse, print, remotePath } from '../context.js';

export async function revs(args: string[]): Promise<void> {
  const { values: v, positionals } = parse(
    args,
    { limit: { type: 'string', short: 'n' }, keep: { type: 'string' }, unkeep: { type: 'string' } },
    { min: 1, max: 1, usage: 'coffer revs PATH [-n LIMIT] [--json] | PATH --keep REV | PATH --unkeep REV' },
  );
  const limit = v.limit === undefined ? 100 : positiveInt(v.limit, '--limit');
  if (v.keep !== undefined && v.unkeep !== undefined) throw new UsageError('give --keep or --unkeep, not both');
  const mark = v.keep ?? v.unkeep;
  const markRev = mark === undefined ? undefined : positiveInt(mark.replace(/^rev/i, ''), v.keep !== undefined ? '--keep' : '--unkeep');
  const { api } = await openSession();
  try {
    const path = remotePath(positionals[0]!);
    if (markRev !== undefined) {
      const r = await api.keepRevision(path, markRev, v.keep !== undefined);
      print(r.keep ? `Keeping rev ${r.rev} forever` : `Rev ${r.rev} is no longer kept forever`);
      return;
    }
    const { revisions } = await api.revisions(path, limit);
    if (jsonOutput()) return printJson(RevisionList, { revisions });
    const notes = (r: (typeof revisions)[number]) => [r.keep ? 'kept' : '', r.restoredFrom ? `restored from rev ${r.restoredFrom}` : ''].filter(Boolean).join(', ');
    const rows = revisions.map((r) => [`rev ${r.rev}`, humanSize(r.size), humanDate(r.createdAt), notes(r)]);
    if (rows.length) print(table(rows).replace(/ +$/gm, ''));
  } finally {
    api.close();
  }
}

export async function restore(args: string[]): Promise<void> {
  const { positionals } = parse(args, {}, { min: 2, max: 2, usage: 'coffer restore PATH REV' });
  const rev = positiveInt(positionals[1]!.replace(/^rev/i, ''), 'REV');
  const { api } = await openSession();
  try {
    const now = await api.restore(remotePath(positionals[0]!), rev);
    if (jsonOutput()) return printJson(CliEntries, { entries: [now] });
    print(`Restored ${now.path} to the content of rev ${rev} (now rev ${now.rev}, ${humanSize(now.size)})`);
  } finally {
    api.close();
  }
}

export function positiveInt(s: string, what: string): number {
  const n = Number(s);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${what} must be a positive whole number, got ${s}`);
  return n;
}
