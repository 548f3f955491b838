/**
 * `coffer-admin nodes list|add|drain|retire`: the storage nodes, through the same registry the
 * admin API uses (nodes/registry.ts): a node added is checked with a test object and its URL sealed
 * in the database; drain marks it draining at once and queues the drain job, which a running
 * server's job runner carries out; retire takes a drained, empty node out for good.
 */
import type { Tier } from '@coffer/storage-engine';
import { enqueue } from '../../jobs/queue.js';
import { AdminError, openInstallWithStorage, parse, print, UsageError } from '../context.js';
import { HttpError } from '../../http-errors.js';

const USAGE = 'nodes list | nodes add NAME URL [--tier hot|cold] | nodes drain NAME | nodes retire NAME';

export async function nodes(args: string[]): Promise<void> {
  const { positionals, values } = parse(args, { tier: { type: 'string' } }, { min: 1, max: 3, usage: USAGE });
  const [sub, name, url] = positionals;
  const want = { list: 1, add: 3, drain: 2, retire: 2 }[sub as 'list'];
  if (want === undefined || positionals.length !== want) throw new UsageError(`usage: coffer-admin ${USAGE}`);
  const tier = (values.tier ?? 'hot') as Tier;
  if (tier !== 'hot' && tier !== 'cold') throw new UsageError('--tier is hot or cold');
  if (sub === 'add' && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(name!)) throw new UsageError('a node name is lowercase letters, digits and dashes (at most 63)');
  const install = await openInstallWithStorage();
  try {
    const { registry } = install.storage;
    switch (sub) {
      case 'list': {
        print(['NAME', 'TIER', 'KIND', 'STATE', 'ENDPOINT'].join('\t'));
        for (const r of await registry.rows()) print([r.name, r.tier, r.kind, r.state, r.endpoint ?? '-'].join('\t'));
        return;
      }
      case 'add': {
        const row = await registry.add({ name: name!, url: url!, tier });
        print(`added ${row.tier} node ${row.name} at ${row.endpoint}; running servers take it on their next health round`);
        return;
      }
      case 'drain': {
        await registry.drain(name!);
        const job = await enqueue(install.database.db, { kind: 'drain', payload: { nodeId: name! } });
        print(`${name} is draining: no new shards land on it; drain job ${job?.id ?? '(already queued)'} moves its shards off (a server with COFFER_JOBS runs it)`);
        return;
      }
      case 'retire': {
        const row = await registry.retire(name!);
        print(`retired ${row.name}: it may now leave COFFER_NODES`);
        return;
      }
    }
  } catch (err) {
    if (err instanceof HttpError) throw new AdminError(err.message);
    throw err;
  } finally {
    await install.close();
  }
}
