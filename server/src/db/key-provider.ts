import { and, desc, eq } from 'drizzle-orm';
import { KeyError, newDataKey, rewrap, type DataKey, type KeyProvider, type MasterKey } from '@coffer/storage-engine';
import type { Db } from './open.js';
import { namespaceKeys } from './schema.js';

/**
 * Namespaces' data keys, stored wrapped by the master key in `namespace_keys` and kept unwrapped
 * in memory once used. The first key of a namespace is created race-free: concurrent first uses
 * (even on several server instances) all end up with the row that won the insert.
 */
export class DbKeyProvider implements KeyProvider {
  private readonly current = new Map<string, DataKey>();
  private readonly byId = new Map<string, DataKey>();

  constructor(
    private readonly db: Db,
    private master: MasterKey,
  ) {}

  async currentKey(namespace: string): Promise<DataKey> {
    const cached = this.current.get(namespace);
    if (cached) return cached;
    let [row] = await this.latest(namespace);
    if (!row) {
      const fresh = newDataKey();
      await this.db
        .insert(namespaceKeys)
        .values({ namespaceId: namespace, generation: 1, keyId: fresh.id.toString('hex'), wrapped: this.master.wrap(fresh) })
        .onConflictDoNothing();
      [row] = await this.latest(namespace);
    }
    if (!row) throw new KeyError(`namespace ${namespace} has no data key`);
    const key = this.remember(namespace, row.wrapped);
    this.current.set(namespace, key);
    return key;
  }

  async keyById(namespace: string, keyId: Buffer): Promise<DataKey> {
    const hex = keyId.toString('hex');
    const cached = this.byId.get(`${namespace}/${hex}`);
    if (cached) return cached;
    const [row] = await this.db
      .select({ wrapped: namespaceKeys.wrapped })
      .from(namespaceKeys)
      .where(and(eq(namespaceKeys.namespaceId, namespace), eq(namespaceKeys.keyId, hex)));
    if (!row) throw new KeyError(`namespace ${namespace} has no data key ${hex}`);
    return this.remember(namespace, row.wrapped);
  }

  /** Re-wrap every data key under a new master key, in one transaction; blocks stay as they are. */
  async rotateMaster(to: MasterKey): Promise<number> {
    const from = this.master;
    const count = await this.db.transaction(async (tx) => {
      const rows = await tx.select().from(namespaceKeys);
      for (const r of rows) {
        await tx
          .update(namespaceKeys)
          .set({ wrapped: rewrap(r.wrapped, from, to) })
          .where(and(eq(namespaceKeys.namespaceId, r.namespaceId), eq(namespaceKeys.generation, r.generation)));
      }
      return rows.length;
    });
    this.master = to;
    return count;
  }

  private latest(namespace: string) {
    return this.db
      .select({ wrapped: namespaceKeys.wrapped })
      .from(namespaceKeys)
      .where(eq(namespaceKeys.namespaceId, namespace))
      .orderBy(desc(namespaceKeys.generation))
      .limit(1);
  }

  private remember(namespace: string, wrapped: string): DataKey {
    const key = this.master.unwrap(wrapped);
    this.byId.set(`${namespace}/${key.id.toString('hex')}`, key);
    return key;
  }
}
