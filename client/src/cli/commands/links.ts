/**
 * `coffer link create PATH [--drop] [--password-stdin] [--expires WHEN] [--max-downloads N]`,
 * `coffer link list`, `coffer link disable ID`, `coffer link enable ID`, `coffer link delete ID`:
 * public links and file drops (the URL is printed once, at creation: only its hash is stored).
 */
import { CliLinkCreated, Link, LinkList } from '@coffer/protocol';
import { jsonOutput, printJson } from '../output.js';
import { UsageError } from '../../api/errors.js';
import { humanDate, table } from '../format.js';
import { openSession, parse, print, remotePath } from '../context.js';
import { readStdin } from '../prompt.js';
import { positiveInt } from './revisions.js';

const USAGE = 'coffer link create PATH [--drop] [--password-stdin] [--expires WHEN] [--max-downloads N] | list | disable ID | enable ID | delete ID';

export async function link(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'create') return create(rest);
  if (sub === 'list' || sub === 'ls') return list(rest);
  if (sub === 'disable' || sub === 'enable') return toggle(rest, sub === 'disable');
  if (sub === 'delete' || sub === 'rm') return remove(rest);
  throw new UsageError(`usage: ${USAGE}`);
}

async function create(args: string[]): Promise<void> {
  const { values: v, positionals } = parse(
    args,
    { drop: { type: 'boolean' }, 'password-stdin': { type: 'boolean' }, expires: { type: 'string' }, 'max-downloads': { type: 'string' } },
    { min: 1, max: 1, usage: USAGE },
  );
  const expiresAt = v.expires === undefined ? undefined : expiryOf(v.expires);
  const maxDownloads = v['max-downloads'] === undefined ? undefined : positiveInt(v['max-downloads'], '--max-downloads');
  const password = v['password-stdin'] ? (await readStdin()).replace(/\r?\n$/, '') : undefined;
  if (password === '') throw new UsageError('--password-stdin: the password is empty');
  const { api } = await openSession();
  try {
    const made = await api.createLink({ path: remotePath(positionals[0]!), kind: v.drop ? 'drop' : 'view', password, expiresAt, maxDownloads });
    if (jsonOutput()) return printJson(CliLinkCreated, { url: made.url! });
    print(made.url!);
  } finally {
    api.close();
  }
}

async function list(args: string[]): Promise<void> {
  parse(args, {}, { min: 0, max: 0, usage: 'coffer link list' });
  const { api } = await openSession();
  try {
    const { links } = await api.links();
    if (jsonOutput()) return printJson(LinkList, { links });
    if (links.length) print(table(links.map(row)).replace(/ +$/gm, ''));
  } finally {
    api.close();
  }
}

function row(l: Link): string[] {
  const limits = [
    l.hasPassword ? 'password' : '',
    l.expiresAt ? `expires ${humanDate(l.expiresAt)}` : '',
    l.maxDownloads !== null ? `${l.downloads}/${l.maxDownloads} downloads` : `${l.downloads} downloads`,
  ].filter(Boolean);
  return [l.id, l.kind, l.disabled ? 'disabled' : 'active', l.path, limits.join(', ')];
}

async function toggle(args: string[], disabled: boolean): Promise<void> {
  const { positionals } = parse(args, {}, { min: 1, max: 1, usage: `coffer link ${disabled ? 'disable' : 'enable'} ID` });
  const { api } = await openSession();
  try {
    const l = await api.updateLink(positionals[0]!, { disabled });
    if (jsonOutput()) return printJson(Link, l);
    print(`${disabled ? 'Disabled' : 'Enabled'} the ${l.kind} link to ${l.path}`);
  } finally {
    api.close();
  }
}

async function remove(args: string[]): Promise<void> {
  const { positionals } = parse(args, {}, { min: 1, max: 1, usage: 'coffer link delete ID' });
  const { api } = await openSession();
  try {
    await api.deleteLink(positionals[0]!);
    print('Deleted the link');
  } finally {
    api.close();
  }
}

/** `7d`, `12h`, `30m` from now, or an ISO 8601 date/time. */
export function expiryOf(s: string, now = Date.now()): string {
  const rel = /^(\d{1,6})([dhm])$/.exec(s);
  if (rel) return new Date(now + Number(rel[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[rel[2] as 'd' | 'h' | 'm']).toISOString();
  const t = Date.parse(s);
  if (!/^\d{4}-\d{2}-\d{2}/.test(s) || Number.isNaN(t)) throw new UsageError(`--expires takes 7d, 12h, 30m or an ISO date, got ${s}`);
  return new Date(t).toISOString();
}
