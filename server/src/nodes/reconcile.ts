/**
 * Boot's decision, as a pure function: the configured node entries against the nodes the
 * database knows. The rules (server/README.md, "Storage nodes"):
 * - a new name is added; a known name keeps its tier (a node never changes tier);
 * - a named entry whose URL points elsewhere than before is the node moved (new host, port or
 *   bucket holding the same objects) and is accepted — unless another live node is there;
 * - a plain URL (named by its position) must be where that position's node was: positions shift
 *   when an entry is removed, so a changed endpoint there means renumbering, and is refused;
 * - a known node that is not retired must still be reachable: configured, embedded (local-N) or
 *   added through the admin API (its URL sealed in the database); otherwise the start is refused —
 *   starting would strand its shards, or a later change of mind would find them gone;
 * - a retired node's entry is ignored (with a note); its name is not used again;
 * - with no hot node configured or known at all, the three embedded local nodes are made.
 */
import type { Tier } from '@coffer/storage-engine';
import type { NodeLifecycle } from '../db/schema.js';
import { endpointOf, type NodeEntry } from './entries.js';

export interface KnownNode {
  name: string;
  tier: Tier;
  kind: 'local' | 's3';
  endpoint: string | null;
  /** Added through the admin API: its URL is sealed in the database. */
  sealed: boolean;
  state: NodeLifecycle;
}

/** A node boot opens: from the configuration, from its sealed URL, or a local directory. */
export type Member = { name: string; tier: Tier; state: 'active' | 'draining' } & (
  | { kind: 's3'; url: string }
  | { kind: 's3'; sealed: true }
  | { kind: 'local'; dir: string }
);

export interface BootPlan {
  members: Member[];
  inserts: { name: string; tier: Tier; kind: 'local' | 's3'; endpoint: string }[];
  updates: { name: string; endpoint?: string; clearSealed?: true }[];
  /** Worth a line in the log (nodes moved, entries ignored); never a URL with credentials. */
  notes: string[];
}

/** The configuration would strand shards or confuse nodes: the server must not start. */
export class NodeConfigError extends Error {
  override name = 'NodeConfigError';
}

/** The embedded nodes, and where each lives below the data directory. */
export const LOCAL_NODES = [0, 1, 2].map((i) => ({ name: `local-${i}`, endpoint: `nodes/node-${i}` }));

const settingOf = (tier: Tier) => (tier === 'hot' ? 'COFFER_NODES' : 'COFFER_COLD_NODES');

/** Known nodes that only the configuration can open and that it lacks: boot counts their shards for the message. */
export function missingFromConfig(entries: readonly NodeEntry[], known: readonly KnownNode[]): KnownNode[] {
  const configured = new Set(entries.map((e) => e.name));
  return known.filter((k) => k.state !== 'retired' && k.kind === 's3' && !k.sealed && !configured.has(k.name));
}

export function planNodes(entries: readonly NodeEntry[], known: readonly KnownNode[], shardsOn: ReadonlyMap<string, number>): BootPlan {
  const plan: BootPlan = { members: [], inserts: [], updates: [], notes: [] };
  const problems: string[] = [];
  const byName = new Map(known.map((k) => [k.name, k]));
  const live = new Map(known.filter((k) => k.state !== 'retired' && k.endpoint).map((k) => [k.endpoint!, k.name]));

  for (const e of entries) {
    const ep = endpointOf(e.url);
    const row = byName.get(e.name);
    const holder = live.get(ep);
    if (holder !== undefined && holder !== e.name) {
      problems.push(
        `${settingOf(e.tier)} gives "${e.name}" the endpoint of node "${holder}" (${ep}).` +
          (e.named ? ' A node keeps its name for good: use the name the database knows.' : ' Were entries removed or reordered? Plain URLs are named by their position; name every entry.'),
      );
      continue;
    }
    if (!row) {
      plan.inserts.push({ name: e.name, tier: e.tier, kind: 's3', endpoint: ep });
      plan.members.push({ name: e.name, tier: e.tier, state: 'active', kind: 's3', url: e.url });
      continue;
    }
    if (row.kind === 'local' || row.tier !== e.tier) {
      problems.push(`"${e.name}" is a ${row.tier} ${row.kind === 'local' ? 'embedded local node' : 'node'} in the database, not a ${e.tier} S3 node: a node keeps its tier and kind; add a new node under a new name instead.`);
      continue;
    }
    if (row.endpoint !== null && row.endpoint !== ep && !e.named) {
      problems.push(
        `node "${e.name}" (a plain URL, named by its position in ${settingOf(e.tier)}) was ${row.endpoint} and is now ${ep}: ` +
          'positions shift when an entry is removed, so this may be a renumbering. Name every entry (name=URL) with the names the database knows.',
      );
      continue;
    }
    if (row.state === 'retired') {
      plan.notes.push(`node "${e.name}" was retired: its ${settingOf(e.tier)} entry is ignored (remove it; a new node needs a new name)`);
      continue;
    }
    const update: BootPlan['updates'][number] = { name: e.name };
    if (row.endpoint !== ep) {
      update.endpoint = ep;
      plan.notes.push(row.endpoint === null ? `node "${e.name}" is at ${ep}` : `node "${e.name}" moved from ${row.endpoint} to ${ep}`);
    }
    if (row.sealed) {
      update.clearSealed = true;
      plan.notes.push(`node "${e.name}", added through the admin API, now comes from ${settingOf(e.tier)}`);
    }
    if (update.endpoint !== undefined || update.clearSealed) plan.updates.push(update);
    plan.members.push({ name: e.name, tier: e.tier, state: row.state, kind: 's3', url: e.url });
  }

  const configured = new Set(entries.map((e) => e.name));
  for (const k of known) {
    if (k.state === 'retired' || configured.has(k.name)) continue;
    if (k.kind === 'local') {
      const endpoint = k.endpoint ?? LOCAL_NODES.find((l) => l.name === k.name)?.endpoint ?? `nodes/${k.name}`;
      if (k.endpoint === null) plan.updates.push({ name: k.name, endpoint });
      plan.members.push({ name: k.name, tier: k.tier, state: k.state, kind: 'local', dir: endpoint });
    } else if (k.sealed) {
      plan.members.push({ name: k.name, tier: k.tier, state: k.state, kind: 's3', sealed: true });
    } else {
      problems.push(missingMessage(k, shardsOn.get(k.name) ?? 0));
    }
  }

  if (!plan.members.some((m) => m.tier === 'hot') && problems.length === 0) {
    if (known.some((k) => k.tier === 'hot')) {
      problems.push('no hot storage node is left (every one the database knows is retired): set COFFER_NODES to the nodes to store on.');
    } else {
      for (const l of LOCAL_NODES) {
        plan.inserts.push({ name: l.name, tier: 'hot', kind: 'local', endpoint: l.endpoint });
        plan.members.push({ name: l.name, tier: 'hot', state: 'active', kind: 'local', dir: l.endpoint });
      }
    }
  }
  if (problems.length > 0) throw new NodeConfigError(refusal(problems, known));
  return plan;
}

function missingMessage(k: KnownNode, shards: number): string {
  const setting = settingOf(k.tier);
  const holds = shards > 0 ? `holds ${shards} shard${shards === 1 ? '' : 's'}` : 'holds no shards but is not retired';
  const legacy = /^(s3|cold)-(\d+)$/.exec(k.name);
  const hint =
    k.endpoint === null && legacy
      ? ` (An older version named nodes by position: "${k.name}" was entry ${Number(legacy[2]) + 1} of ${setting} then; keep that name for that URL.)`
      : '';
  return (
    `node "${k.name}" (${k.tier}, ${k.endpoint ?? 'endpoint not yet recorded'}, ${k.state}) ${holds} and is not in ${setting}. ` +
    `Put it back (${k.name}=http://KEY:SECRET@host:port/bucket); to remove it, start with it, drain it ` +
    `(POST /api/v1/admin/nodes/${k.name}/drain), retire it once drained (POST /api/v1/admin/nodes/${k.name}/retire), then take it out of ${setting}.${hint}`
  );
}

function refusal(problems: string[], known: readonly KnownNode[]): string {
  const table = known.map((k) => `  ${k.name}  ${k.tier}  ${k.kind}  ${k.state}  ${k.endpoint ?? '(endpoint not yet recorded)'}${k.sealed ? '  (added through the admin API)' : ''}`);
  return [
    'the storage node configuration does not match the nodes the database knows; starting would strand stored shards:',
    ...problems.map((p) => `- ${p}`),
    known.length > 0 ? 'Nodes the database knows (name, tier, kind, state, endpoint):' : 'The database knows no nodes yet.',
    ...table,
  ].join('\n');
}
