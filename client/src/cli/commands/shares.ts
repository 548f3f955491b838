/** Sharing commands: `share` (offer a folder or file) and `shares list|accept|decline|revoke|role`. */
import { Share, ShareList } from '@coffer/protocol';
import { jsonOutput, printJson } from '../output.js';
import { UsageError } from '../../api/errors.js';
import { table } from '../format.js';
import { openSession, parse, print, remotePath } from '../context.js';

const ROLES = ['viewer', 'editor'] as const;
type Role = (typeof ROLES)[number];

function role(value: string | undefined, usage: string): Role {
  if (value === undefined) return 'viewer';
  if (!(ROLES as readonly string[]).includes(value)) throw new UsageError(`--role is viewer or editor (${usage})`);
  return value as Role;
}

function line(s: Share): string[] {
  const who = `${s.grantee.kind === 'group' ? 'group ' : ''}${s.grantee.name}`;
  return [s.id, s.state, s.role, `${s.owner.username} → ${who}`, s.path ?? `(${s.name})`];
}

export async function share(args: string[]): Promise<void> {
  const usage = 'coffer share PATH (--user NAME | --group NAME) [--role viewer|editor] [--allow-reshare]';
  const { values: v, positionals } = parse(
    args,
    { user: { type: 'string' }, group: { type: 'string' }, role: { type: 'string' }, 'allow-reshare': { type: 'boolean' } },
    { min: 1, max: 1, usage },
  );
  if ((v.user === undefined) === (v.group === undefined)) throw new UsageError(`give exactly one of --user and --group (${usage})`);
  const { api } = await openSession();
  try {
    const s = await api.share(remotePath(positionals[0]!), { user: v.user as string | undefined, group: v.group as string | undefined }, role(v.role as string | undefined, usage), v['allow-reshare'] as boolean | undefined);
    if (jsonOutput()) return printJson(Share, s);
    print(`Shared ${s.path ?? s.name} with ${s.grantee.name} as ${s.role} (share ${s.id})`);
  } finally {
    api.close();
  }
}

export async function shares(args: string[]): Promise<void> {
  const usage = 'coffer shares list [--outgoing] | accept ID [--name NAME] | decline ID | revoke ID | role ID viewer|editor';
  const [sub, ...rest] = args;
  const { api } = await openSession();
  try {
    switch (sub) {
      case 'list': {
        const { values: v } = parse(rest, { outgoing: { type: 'boolean' } }, { min: 0, max: 0, usage });
        const list = await api.shares(v.outgoing ? 'outgoing' : 'incoming');
        if (jsonOutput()) return printJson(ShareList, { shares: list });
        if (list.length) print(table(list.map(line)));
        return;
      }
      case 'accept': {
        const { values: v, positionals } = parse(rest, { name: { type: 'string' } }, { min: 1, max: 1, usage });
        const s = await api.acceptShare(positionals[0]!, v.name as string | undefined);
        if (jsonOutput()) return printJson(Share, s);
        print(`Accepted: ${s.name} is at ${s.path}`);
        return;
      }
      case 'decline': {
        const { positionals } = parse(rest, {}, { min: 1, max: 1, usage });
        await api.declineShare(positionals[0]!);
        print('Declined');
        return;
      }
      case 'revoke': {
        const { positionals } = parse(rest, {}, { min: 1, max: 1, usage });
        await api.revokeShare(positionals[0]!);
        print('Revoked');
        return;
      }
      case 'role': {
        const { positionals } = parse(rest, {}, { min: 2, max: 2, usage });
        const s = await api.shareRole(positionals[0]!, role(positionals[1], usage));
        if (jsonOutput()) return printJson(Share, s);
        print(`${s.grantee.name} is now ${s.role}`);
        return;
      }
      default:
        throw new UsageError(usage);
    }
  } finally {
    api.close();
  }
}
