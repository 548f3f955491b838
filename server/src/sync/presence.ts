/**
 * Presence: a device is online while it holds a long poll or a websocket on any server instance.
 * Each instance counts its own connections and announces changes on the `coffer_presence`
 * channel (`<instance> + id,id,…` when devices connect, `- …` when their last connection ends);
 * every `announceMs` it repeats the full list, and a remote entry not repeated within 2.5
 * periods expires, so the devices of a crashed instance go offline on their own. A starting
 * instance asks (`?`) and the others answer with their lists at once.
 */
import { randomUUID } from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { devices } from '../db/schema.js';
import { componentLogger, logError as logErrorTo } from '../observability/log.js';

const log = componentLogger('sync');
const logError = (context: string, err: unknown) => logErrorTo(context, err, log);

export const PRESENCE_CHANNEL = 'coffer_presence';
/** UUIDs per NOTIFY (37 bytes each with the comma): well under the 8,000-byte payload limit. */
const IDS_PER_MESSAGE = 200;

export class Presence {
  readonly instance = randomUUID();
  private readonly local = new Map<string, number>();
  /** device → instance → expiry (ms since epoch). */
  private readonly remote = new Map<string, Map<string, number>>();
  private pending = { up: new Set<string>(), down: new Set<string>() };
  private flushTimer: NodeJS.Timeout | undefined;
  private announceTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly announceMs = 30_000,
  ) {}

  /** Call once subscribed to the channel. */
  async start(): Promise<void> {
    this.announceTimer = setInterval(() => void this.announce([...this.local.keys()], '+'), this.announceMs);
    this.announceTimer.unref();
    await this.send(`${this.instance} ? -`);
  }

  async stop(): Promise<void> {
    clearInterval(this.announceTimer);
    clearTimeout(this.flushTimer);
    const ids = [...this.local.keys()];
    this.local.clear();
    await this.announce(ids, '-');
  }

  /** Count one open connection of the device; call the answer when it closes. */
  connect(deviceId: string | undefined): () => void {
    if (!deviceId) return () => {};
    const n = this.local.get(deviceId) ?? 0;
    this.local.set(deviceId, n + 1);
    if (n === 0) this.changed(deviceId, 'up');
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.local.get(deviceId) ?? 1) - 1;
      if (left > 0) this.local.set(deviceId, left);
      else {
        this.local.delete(deviceId);
        this.changed(deviceId, 'down');
      }
    };
  }

  isOnline(deviceId: string): boolean {
    if (this.local.has(deviceId)) return true;
    const now = Date.now();
    for (const expires of this.remote.get(deviceId)?.values() ?? []) if (expires > now) return true;
    return false;
  }

  /** A message on the presence channel (from any instance, this one included). */
  onMessage(payload: string): void {
    const [instance, op, list] = payload.split(' ');
    if (!instance || instance === this.instance || !list) return;
    if (op === '?') return void this.announce([...this.local.keys()], '+');
    const expires = Date.now() + 2.5 * this.announceMs;
    for (const id of list.split(',')) {
      let byInstance = this.remote.get(id);
      if (op === '+') {
        if (!byInstance) this.remote.set(id, (byInstance = new Map()));
        byInstance.set(instance, expires);
      } else if (byInstance) {
        byInstance.delete(instance);
        if (byInstance.size === 0) this.remote.delete(id);
      }
    }
  }

  /** The user's devices with their presence, oldest first. */
  async devicesOf(userId: string) {
    const rows = await this.db
      .select({ id: devices.id, name: devices.name, kind: devices.kind, cursor: devices.cursor, lastSeenAt: devices.lastSeenAt })
      .from(devices)
      .where(eq(devices.userId, userId))
      .orderBy(asc(devices.createdAt), asc(devices.id));
    return rows.map((d) => ({ ...d, online: this.isOnline(d.id) }));
  }

  /** Transitions are sent in batches: a burst of connections (a restart of another instance
   *  sends thousands of clients here at once) costs a few notifications, not one each. */
  private changed(deviceId: string, dir: 'up' | 'down'): void {
    this.pending[dir === 'up' ? 'down' : 'up'].delete(deviceId);
    this.pending[dir].add(deviceId);
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      const { up, down } = this.pending;
      this.pending = { up: new Set(), down: new Set() };
      void this.announce([...up], '+');
      void this.announce([...down], '-');
    }, 50);
  }

  private async announce(ids: string[], op: '+' | '-'): Promise<void> {
    for (let i = 0; i < ids.length; i += IDS_PER_MESSAGE) await this.send(`${this.instance} ${op} ${ids.slice(i, i + IDS_PER_MESSAGE).join(',')}`);
  }

  private async send(payload: string): Promise<void> {
    try {
      await this.db.execute(sql`select pg_notify(${PRESENCE_CHANNEL}, ${payload})`);
    } catch (err) {
      logError('presence: announcing failed', err);
    }
  }
}

/** A device token read changes up to `cursor`: remember where it is and that it was seen. */
export async function recordDeviceCursor(db: Db, deviceId: string, cursor: number): Promise<void> {
  await db.update(devices).set({ cursor, lastSeenAt: new Date() }).where(eq(devices.id, deviceId));
}
