/**
 * Storage node names in the configuration (name=URL; plain URLs named by position) and boot's
 * reconciliation with the nodes the database knows: what is added, moved, opened, and what
 * refuses the start — with a message naming the nodes and what to do, and never a credential.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { endpointOf, parseNodeLists, scrubSecrets } from '../src/nodes/entries.js';
import { NodeConfigError, planNodes, type KnownNode } from '../src/nodes/reconcile.js';

const SECRET = 'sEcReT-9f3a';
const url = (port: number, bucket = 'coffer') => `http://KEYID:${SECRET}@10.0.0.${port % 250}:${port}/${bucket}`;
const ep = (port: number, bucket = 'coffer') => endpointOf(url(port, bucket));
const known = (name: string, port: number | null, more: Partial<KnownNode> = {}): KnownNode => ({
  name,
  tier: 'hot',
  kind: 's3',
  endpoint: port === null ? null : ep(port),
  sealed: false,
  state: 'active',
  ...more,
});
const none = new Map<string, number>();

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(NodeConfigError);
    const message = (err as Error).message;
    expect(message).not.toContain(SECRET);
    expect(message).not.toContain('KEYID');
    return message;
  }
  throw new Error('expected a refusal');
}

describe('node entries in the configuration', () => {
  it('reads name=URL entries, and plain URLs named by their position', () => {
    expect(parseNodeLists(`a=${url(9001)}, b=${url(9002)}`, `c1=${url(9003)}`)).toEqual([
      { name: 'a', url: url(9001), tier: 'hot', named: true },
      { name: 'b', url: url(9002), tier: 'hot', named: true },
      { name: 'c1', url: url(9003), tier: 'cold', named: true },
    ]);
    const plain = parseNodeLists(`${url(9001)}?region=eu-west-1,${url(9002)}`, url(9003));
    expect(plain.map((e) => [e.name, e.named])).toEqual([
      ['s3-0', false],
      ['s3-1', false],
      ['cold-0', false],
    ]);
    expect(loadConfig({ COFFER_NODES: `n1=${url(9001)}` }).nodes).toHaveLength(1);
  });

  it('refuses bad names, mixed lists and one node twice, without quoting a URL', () => {
    for (const [hot, cold, why] of [
      [`Big=${url(9001)}`, '', /cannot name a node/],
      [`local-0=${url(9001)}`, '', /embedded local-directory nodes/],
      [`a=${url(9001)},${url(9002)}`, '', /mixes name=URL entries with plain URLs/],
      [`a=${url(9001)}`, `a=${url(9002)}`, /"a" appears twice/],
      [`a=${url(9001)},b=${url(9001).replace('KEYID', 'OTHER')}`, '', /same endpoint/],
      [`a=ftp://KEYID:${SECRET}@host/bucket`, '', /http:\/\/ or https:\/\//],
      [`a=http://KEYID:${SECRET}@host:9000/`, '', /names no bucket/],
      [`a=http://KEYID:${SECRET}@host:9000/b?retries=1e9`, '', /retries is a whole number from 0 to 10/],
      [`a=http://KEYID:${SECRET}@host:99999/b`, '', /not a URL/],
    ] as const) {
      let message = '';
      try {
        loadConfig({ COFFER_NODES: hot, COFFER_COLD_NODES: cold });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(why);
      expect(message).toMatch(/^invalid configuration: /);
      expect(message).not.toContain(SECRET);
    }
  });

  it('tells endpoints apart by place only, and scrubs credentials from messages', () => {
    expect(endpointOf('http://a:b@Host.Example:9000/bucket/pre/?timeoutMs=9')).toBe('http://host.example:9000/bucket/pre');
    expect(endpointOf('https://a:b@h/bucket')).toBe('https://h:443/bucket');
    expect(scrubSecrets(`failed for ${url(9001)} with KEYID and ${SECRET}`, url(9001))).toBe(`failed for ${ep(9001)} with *** and ***`);
  });
});

describe('boot reconciliation', () => {
  it('makes the three embedded local nodes on a first boot with nothing configured', () => {
    const plan = planNodes([], [], none);
    expect(plan.inserts.map((i) => [i.name, i.kind, i.endpoint])).toEqual([
      ['local-0', 'local', 'nodes/node-0'],
      ['local-1', 'local', 'nodes/node-1'],
      ['local-2', 'local', 'nodes/node-2'],
    ]);
    expect(plan.members.map((m) => m.name)).toEqual(['local-0', 'local-1', 'local-2']);
  });

  it('adds configured nodes, and keeps the known local nodes beside them until they are retired', () => {
    const entries = parseNodeLists(`a=${url(9001)},b=${url(9002)}`, '');
    expect(planNodes(entries, [], none).members.map((m) => m.name)).toEqual(['a', 'b']);
    const locals = [0, 1, 2].map((i) => known(`local-${i}`, null, { kind: 'local', endpoint: `nodes/node-${i}` }));
    const plan = planNodes(entries, locals, none);
    expect(plan.inserts.map((i) => i.name)).toEqual(['a', 'b']);
    expect(plan.members.map((m) => [m.name, m.kind])).toEqual([
      ['a', 's3'],
      ['b', 's3'],
      ['local-0', 'local'],
      ['local-1', 'local'],
      ['local-2', 'local'],
    ]);
    const retired = locals.map((l) => ({ ...l, state: 'retired' as const }));
    expect(planNodes(entries, retired, none).members.map((m) => m.name)).toEqual(['a', 'b']);
  });

  it('refuses a known node missing from the configuration, saying what it holds and what to do', () => {
    const entries = parseNodeLists(`a=${url(9001)}`, '');
    const db = [known('a', 9001), known('b', 9002), known('c', 9003, { state: 'retired' })];
    const message = refusal(() => planNodes(entries, db, new Map([['b', 12]])));
    expect(message).toContain(`node "b" (hot, ${ep(9002)}, active) holds 12 shards and is not in COFFER_NODES`);
    expect(message).toContain('Put it back (b=http://KEY:SECRET@host:port/bucket)');
    expect(message).toContain('POST /api/v1/admin/nodes/b/drain');
    expect(message).toContain('POST /api/v1/admin/nodes/b/retire');
    expect(message).toMatch(/Nodes the database knows[^]*\n {2}a {2}hot {2}s3 {2}active[^]*\n {2}c {2}hot {2}s3 {2}retired/);
    // Not retired, even when empty.
    expect(refusal(() => planNodes(entries, db, none))).toContain('holds no shards but is not retired');
    // A retired node may go.
    expect(planNodes(entries, [known('a', 9001), known('b', 9002, { state: 'retired' })], none).members.map((m) => m.name)).toEqual(['a']);
  });

  it('accepts a named node at a new URL (moved), refuses a plain one (renumbered)', () => {
    const moved = planNodes(parseNodeLists(`a=${url(9001)},b=${url(9009)}`, ''), [known('a', 9001), known('b', 9002)], none);
    expect(moved.updates).toEqual([{ name: 'b', endpoint: ep(9009) }]);
    expect(moved.notes).toEqual([`node "b" moved from ${ep(9002)} to ${ep(9009)}`]);

    // s3-1 (9002) drained and taken out of a plain list: s3-1 would now be s3-2's bucket.
    const db = [known('s3-0', 9001), known('s3-1', 9002, { state: 'retired' }), known('s3-2', 9003)];
    const message = refusal(() => planNodes(parseNodeLists(`${url(9001)},${url(9003)}`, ''), db, new Map([['s3-2', 4]])));
    expect(message).toContain('gives "s3-1" the endpoint of node "s3-2"');
    expect(message).toContain('name every entry');
    expect(message).toContain('node "s3-2"');
    // The same list with the names the database knows is fine.
    const named = planNodes(parseNodeLists(`s3-0=${url(9001)},s3-2=${url(9003)}`, ''), db, none);
    expect(named.members.map((m) => m.name)).toEqual(['s3-0', 's3-2']);
    // A plain list whose last entry went (a retired node) shifts nothing.
    expect(planNodes(parseNodeLists(`${url(9001)},${url(9002)}`, ''), [...db.slice(0, 2), known('s3-2', 9003, { state: 'retired' })], none).members).toHaveLength(1);
  });

  it('adopts nodes an older version knew only by position, recording where they are', () => {
    const plan = planNodes(parseNodeLists(`${url(9001)},${url(9002)}`, ''), [known('s3-0', null), known('s3-1', null, { state: 'draining' })], none);
    expect(plan.updates).toEqual([
      { name: 's3-0', endpoint: ep(9001) },
      { name: 's3-1', endpoint: ep(9002) },
    ]);
    expect(plan.members.map((m) => [m.name, m.state])).toEqual([
      ['s3-0', 'active'],
      ['s3-1', 'draining'],
    ]);
  });

  it('opens nodes added through the admin API from the database, until the configuration names them', () => {
    const db = [known('a', 9001), known('x', 9005, { sealed: true })];
    expect(planNodes(parseNodeLists(`a=${url(9001)}`, ''), db, none).members.map((m) => [m.name, 'sealed' in m])).toEqual([
      ['a', false],
      ['x', true],
    ]);
    const taken = planNodes(parseNodeLists(`a=${url(9001)},x=${url(9005)}`, ''), db, none);
    expect(taken.updates).toEqual([{ name: 'x', clearSealed: true }]);
  });

  it('refuses a node changing tier, a new name on a live node’s bucket, and a hot tier with nothing left', () => {
    expect(refusal(() => planNodes(parseNodeLists('', `a=${url(9001)}`), [known('a', 9001)], none))).toContain('a node keeps its tier');
    expect(refusal(() => planNodes(parseNodeLists(`a=${url(9001)},z=${url(9002)}`, ''), [known('a', 9001), known('b', 9002)], none))).toContain(
      'gives "z" the endpoint of node "b"',
    );
    const gone = [known('local-0', null, { kind: 'local', endpoint: 'nodes/node-0', state: 'retired' })];
    expect(refusal(() => planNodes([], gone, none))).toContain('no hot storage node is left');
  });

  it('ignores the entry of a retired node, with a note', () => {
    const plan = planNodes(parseNodeLists(`a=${url(9001)},b=${url(9002)}`, ''), [known('a', 9001), known('b', 9002, { state: 'retired' })], none);
    expect(plan.members.map((m) => m.name)).toEqual(['a']);
    expect(plan.notes[0]).toMatch(/node "b" was retired: its COFFER_NODES entry is ignored/);
  });
});
