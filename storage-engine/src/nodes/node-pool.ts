import type { Tier } from '../erasure/layout.js';
import type { StorageNode } from './node.js';

export type NodeState = 'up' | 'down' | 'draining';

export interface PoolMember {
  node: StorageNode;
  tier: Tier;
}

interface Health {
  state: NodeState;
  /** When a down node may be tried again (ms since epoch). */
  retryAt: number;
  failures: number;
}

/**
 * The nodes the engine may use, by tier, with what it has learnt of their health from its own
 * calls. A node that failed is skipped for new writes until a back-off passes, then tried again;
 * one success marks it up. Health monitors (the server's job) may set states directly.
 */
export class NodePool {
  private readonly members = new Map<string, PoolMember>();
  private readonly health = new Map<string, Health>();

  constructor(
    members: PoolMember[],
    private readonly downBackoffMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {
    for (const m of members) this.add(m);
  }

  add(member: PoolMember): void {
    this.members.set(member.node.id, member);
    if (!this.health.has(member.node.id)) this.health.set(member.node.id, { state: 'up', retryAt: 0, failures: 0 });
  }

  remove(id: string): void {
    this.members.delete(id);
    this.health.delete(id);
  }

  get(id: string): StorageNode | undefined {
    return this.members.get(id)?.node;
  }

  tierOf(id: string): Tier | undefined {
    return this.members.get(id)?.tier;
  }

  all(tier?: Tier): StorageNode[] {
    return [...this.members.values()].filter((m) => !tier || m.tier === tier).map((m) => m.node);
  }

  /** Nodes of a tier that take new shards: up, or down long enough ago to deserve another try. */
  writable(tier: Tier): StorageNode[] {
    const t = this.now();
    return this.all(tier).filter((n) => {
      const h = this.health.get(n.id);
      return !h || h.state === 'up' || (h.state === 'down' && t >= h.retryAt);
    });
  }

  /** Whether reads should try this node first or last (a down node is still tried as a last resort). */
  isSuspect(id: string): boolean {
    const h = this.health.get(id);
    return !!h && h.state === 'down' && this.now() < h.retryAt;
  }

  state(id: string): NodeState | undefined {
    return this.health.get(id)?.state;
  }

  setState(id: string, state: NodeState): void {
    const h = this.health.get(id);
    if (h) Object.assign(h, { state, retryAt: state === 'down' ? this.now() + this.downBackoffMs : 0, failures: 0 });
  }

  reportFailure(id: string): void {
    const h = this.health.get(id);
    if (!h || h.state === 'draining') return;
    h.failures += 1;
    h.state = 'down';
    h.retryAt = this.now() + Math.min(this.downBackoffMs * h.failures, 60_000);
  }

  reportSuccess(id: string): void {
    const h = this.health.get(id);
    if (!h || h.state === 'draining') return;
    h.state = 'up';
    h.failures = 0;
    h.retryAt = 0;
  }
}
