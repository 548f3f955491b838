/**
 * Server-wide settings (the one row of server_settings). Read on every authenticated request
 * (the two-factor requirement), so remembered for a few seconds: a change reaches every server
 * instance within that time, and at once on the instance that made it.
 */
import { eq } from 'drizzle-orm';
import type { ServerSettings } from '@coffer/protocol';
import type { Db } from '../../db/open.js';
import { serverSettings } from '../../db/schema.js';

const FRESH_MS = 5_000;
const DEFAULTS: ServerSettings = { requireTwoFactor: false };

export class SettingsStore {
  private cached: { value: ServerSettings; at: number } | undefined;

  constructor(private readonly db: Db) {}

  async get(): Promise<ServerSettings> {
    if (this.cached && Date.now() - this.cached.at < FRESH_MS) return this.cached.value;
    const [row] = await this.db.select({ requireTwoFactor: serverSettings.requireTwoFactor }).from(serverSettings).where(eq(serverSettings.id, 1));
    const value = row ?? DEFAULTS;
    this.cached = { value, at: Date.now() };
    return value;
  }

  async update(patch: Partial<ServerSettings>): Promise<ServerSettings> {
    const next = { ...(await this.fresh()), ...patch };
    await this.db
      .insert(serverSettings)
      .values({ id: 1, ...next, updatedAt: new Date() })
      .onConflictDoUpdate({ target: serverSettings.id, set: { ...patch, updatedAt: new Date() } });
    this.cached = undefined;
    return this.get();
  }

  private async fresh(): Promise<ServerSettings> {
    this.cached = undefined;
    return this.get();
  }
}
