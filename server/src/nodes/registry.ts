/**
 * The storage nodes of this server: the `nodes` table (what every instance and every boot
 * knows) kept in step with the engine's NodePool (what this process reads and writes). Boot
 * reconciles the configuration with the table (reconcile.ts); at run time the admin API adds a
 * node, drains one and retires a drained one here, without a restart; `refresh` (each health
 * round) brings in what other instances changed.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FsNode, S3Node, type KeyProvider, type NodePool, type StorageNode, type Tier } from '@coffer/storage-engine';
import type { Db } from '../db/open.js';
import type { NodeLifecycle } from '../db/schema.js';
import { BadRequestError, ConflictError, NotFoundError } from '../http-errors.js';
import { endpointOf, scrubSecrets, type NodeEntry } from './entries.js';
import { missingFromConfig, NodeConfigError, planNodes, type KnownNode, type Member } from './reconcile.js';
import { openNodeUrl, sealNodeUrl } from './sealed-url.js';
import {
  applyBootWrites,
  getNodeRow,
  insertAddedNode,
  listNodeRows,
  liveNodesAt,
  retireNodeRow,
  setLiveState,
  shardCounts,
  type NodeRow,
} from './store.js';
import { componentLogger } from '../observability/log.js';

const nodesLog = componentLogger('nodes');

/** Written, read back and deleted on a node added at run time: it must take shards, not only answer. */
const CHECK_KEY = 'health/add-check';

export class NodeRegistry {
  constructor(
    private readonly db: Db,
    readonly pool: NodePool,
    private readonly keys: KeyProvider,
    private readonly dataDir: string,
    private readonly log: (line: string) => void = (line) => nodesLog.info(line),
  ) {}

  /** Reconcile the configured entries with the table and open every live node; NodeConfigError refuses the start. */
  async boot(entries: readonly NodeEntry[]): Promise<void> {
    const rows = await listNodeRows(this.db);
    const known = rows.map(knownOf);
    const counts = await shardCounts(this.db, missingFromConfig(entries, known).map((k) => k.name));
    const plan = planNodes(entries, known, counts);
    // Opened before anything is written, so a refusal (an unreadable sealed URL) changes nothing.
    const sealed = new Map(rows.map((r) => [r.name, r.sealedUrl]));
    const opened = await Promise.all(plan.members.map(async (m) => ({ m, ...(await this.openMember(m, sealed.get(m.name) ?? null)) })));
    await applyBootWrites(this.db, plan.inserts, plan.updates);
    for (const note of plan.notes) this.log(`storage nodes: ${note}`);
    for (const { m, node, url } of opened) {
      await this.prepare(node, url);
      this.pool.add({ node, tier: m.tier });
      if (m.state === 'draining') this.pool.setState(node.id, 'draining');
    }
  }

  /** Add an S3 node at run time: checked (it must store and return an object), recorded with its URL sealed, then used. */
  async add(input: { name: string; url: string; tier: Tier }): Promise<NodeRow> {
    const { name, url, tier } = input;
    if (await getNodeRow(this.db, name)) {
      throw new ConflictError(`a storage node named ${name} exists or existed; names are never reused`, { code: 'node_exists' });
    }
    const endpoint = endpointOf(url);
    const [holder] = await liveNodesAt(this.db, endpoint);
    if (holder) throw new ConflictError(`node ${holder} is at ${endpoint} already`, { code: 'endpoint_in_use', details: { node: holder } });
    const node = S3Node.fromUrl(name, url);
    try {
      await node.ensureBucket();
      await node.put(CHECK_KEY, Buffer.from(name));
      await node.get(CHECK_KEY);
      await node.delete(CHECK_KEY);
    } catch (err) {
      node.close();
      const why = scrubSecrets(err instanceof Error ? err.message : String(err), url);
      throw new BadRequestError(`the node at ${endpoint} did not take a test object: ${why}`, { code: 'node_unreachable' });
    }
    const inserted = await insertAddedNode(this.db, { name, tier, endpoint, sealedUrl: await sealNodeUrl(this.keys, name, url) });
    if (!inserted) {
      node.close();
      throw new ConflictError(`a storage node named ${name} exists or existed; names are never reused`, { code: 'node_exists' });
    }
    this.pool.add({ node, tier });
    this.log(`storage nodes: added ${tier} node "${name}" at ${endpoint}`);
    return (await getNodeRow(this.db, name))!;
  }

  /** Persistently 'draining': no new shard lands on it (also after a restart), reads still use it. */
  async drain(name: string): Promise<void> {
    this.mustBeLive(name);
    await setLiveState(this.db, name, 'draining');
    this.pool.setState(name, 'draining');
  }

  /** Back to taking shards (a rebalance onto a node that was draining). */
  async undrain(name: string): Promise<void> {
    this.mustBeLive(name);
    await setLiveState(this.db, name, 'active');
    if (this.pool.state(name) === 'draining') this.pool.setState(name, 'up');
  }

  /** Retire a drained node: it leaves the pool and the configuration may drop it. */
  async retire(name: string): Promise<NodeRow> {
    const out = await retireNodeRow(this.db, name);
    if (!out.ok) {
      switch (out.reason) {
        case 'unknown':
          throw new NotFoundError(`no storage node ${name}`, { code: 'no_node' });
        case 'retired':
          throw new ConflictError(`node ${name} is retired already`, { code: 'retired' });
        case 'not_draining':
          throw new ConflictError(`node ${name} is not draining: drain it first (POST /admin/nodes/${name}/drain) and wait for the job`, { code: 'not_draining' });
        case 'has_shards':
          throw new ConflictError(`node ${name} still holds ${out.shards} shards: wait for its drain job (or repair) to move them`, {
            code: 'has_shards',
            details: { shards: out.shards },
          });
        case 'last_hot':
          throw new ConflictError(`node ${name} is the hot tier's last node: add another before retiring it`, { code: 'last_hot_node' });
      }
    }
    this.detach(name);
    this.log(`storage nodes: retired "${name}"`);
    return out.row;
  }

  /** Bring in what other instances changed: nodes added through their admin API, drains, retirements. */
  async refresh(): Promise<void> {
    for (const row of await listNodeRows(this.db)) {
      const here = this.pool.get(row.name) !== undefined;
      if (row.state === 'retired') {
        if (here) this.detach(row.name);
      } else if (!here) {
        // Only a sealed URL can be opened from here; a node configured elsewhere is that instance's.
        if (!row.sealedUrl) continue;
        const opened = await this.openMember({ name: row.name, tier: row.tier, state: row.state, kind: 's3', sealed: true }, row.sealedUrl).catch(() => undefined);
        if (!opened) continue;
        const { node } = opened;
        this.pool.add({ node, tier: row.tier });
        if (row.state === 'draining') this.pool.setState(row.name, 'draining');
      } else if (row.state === 'draining' && this.pool.state(row.name) !== 'draining') {
        this.pool.setState(row.name, 'draining');
      } else if (row.state === 'active' && this.pool.state(row.name) === 'draining') {
        this.pool.setState(row.name, 'up');
      }
    }
  }

  rows(): Promise<NodeRow[]> {
    return listNodeRows(this.db);
  }

  async stateOf(name: string): Promise<NodeLifecycle | undefined> {
    return (await getNodeRow(this.db, name))?.state;
  }

  private mustBeLive(name: string): void {
    if (!this.pool.get(name)) throw new NotFoundError(`no storage node ${name} (unknown or retired)`, { code: 'no_node' });
  }

  private detach(name: string): void {
    const node = this.pool.get(name);
    this.pool.remove(name);
    if (node instanceof S3Node) node.close();
  }

  /** The member's node, and its URL (to scrub from messages) when it has one. */
  private async openMember(m: Member, sealedUrl: string | null): Promise<{ node: StorageNode; url?: string }> {
    if (m.kind === 'local') return { node: new FsNode(m.name, join(this.dataDir, m.dir)) };
    if ('url' in m) return { node: S3Node.fromUrl(m.name, m.url), url: m.url };
    try {
      const url = await openNodeUrl(this.keys, m.name, sealedUrl ?? '');
      return { node: S3Node.fromUrl(m.name, url), url };
    } catch (err) {
      throw new NodeConfigError(
        `node "${m.name}" was added through the admin API and its URL, sealed in the database, cannot be opened ` +
          `(${err instanceof Error ? err.name : 'error'}: was the master key changed?). Put it in the configuration as ${m.name}=URL.`,
      );
    }
  }

  private async prepare(node: StorageNode, url: string | undefined): Promise<void> {
    // A node down at boot must not stop the server: writes skip it and the monitor watches it.
    if (node instanceof S3Node) {
      await node.ensureBucket().catch((err: unknown) => this.log(`storage node ${node.id} is unreachable at boot: ${scrubSecrets(String(err), url ?? '')}`));
    }
    // Made at boot; while running, a vanished directory means a lost disk and the node reports down.
    if (node instanceof FsNode) await mkdir(node.dir, { recursive: true });
  }
}

function knownOf(r: NodeRow): KnownNode {
  return { name: r.name, tier: r.tier, kind: r.kind, endpoint: r.endpoint, sealed: r.sealedUrl !== null, state: r.state };
}
