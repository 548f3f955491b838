/**
 * The run-time settings: each one's effective value is the environment's when it pins it, else
 * the database's (server_settings: `values`, and the two-factor column), else the default. Read
 * often (sign-in, link checks, every authenticated request for the two-factor rule), so
 * remembered for a few seconds: a change reaches every instance within that time, and at once on
 * the instance that made it.
 */
import { eq } from 'drizzle-orm';
import { SETTING_DEFAULTS, SETTING_KEYS, type AdminSettings, type AdminSettingsPut, type ServerSettings, type SettingKey, type SettingValues } from '@coffer/protocol';
import type { Db } from '../db/open.js';
import { serverSettings } from '../db/schema.js';
import { ConflictError } from '../http-errors.js';
import { SETTING_ENV } from './env.js';

const FRESH_MS = 5_000;

interface Stored {
  values: Partial<SettingValues>;
}

export class SettingsStore {
  private cached: { value: Stored; at: number } | undefined;

  constructor(
    private readonly db: Db,
    private readonly pinned: Partial<SettingValues> = {},
  ) {}

  /** Every effective value. */
  async values(): Promise<SettingValues> {
    const { values } = await this.stored();
    return { ...SETTING_DEFAULTS, ...values, ...this.pinned };
  }

  /** Each setting with its value, its source and its default (GET /admin/settings/values). */
  async describe(): Promise<AdminSettings> {
    const { values } = await this.stored();
    const out: Record<string, unknown> = {};
    for (const k of SETTING_KEYS) {
      const pinned = k in this.pinned;
      const inDb = values[k] !== undefined;
      out[k] = {
        value: pinned ? this.pinned[k] : inDb ? values[k] : SETTING_DEFAULTS[k],
        source: pinned ? 'environment' : inDb ? 'database' : 'default',
        env: SETTING_ENV[k],
        defaultValue: SETTING_DEFAULTS[k],
      };
    }
    return out as AdminSettings;
  }

  /** The keys a change names that the environment pins (refused as a whole). */
  pinnedIn(patch: AdminSettingsPut): SettingKey[] {
    return SETTING_KEYS.filter((k) => patch[k] !== undefined && k in this.pinned);
  }

  /**
   * Set (or with null drop) database values, in `db` (the caller's transaction). 409
   * `setting_pinned` when the environment pins one of them: nothing changes then.
   */
  async put(db: Db, patch: AdminSettingsPut): Promise<void> {
    const pinned = this.pinnedIn(patch);
    if (pinned.length) {
      throw new ConflictError(`set in the environment, so not changeable here: ${pinned.map((k) => `${k} (${SETTING_ENV[k]})`).join(', ')}`, {
        code: 'setting_pinned',
        details: { settings: pinned, env: pinned.map((k) => SETTING_ENV[k]) },
      });
    }
    const [row] = await db.select().from(serverSettings).where(eq(serverSettings.id, 1)).for('update');
    const values: Record<string, unknown> = { ...(row?.values ?? {}) };
    for (const k of SETTING_KEYS) {
      const v = patch[k];
      if (v === null) delete values[k];
      else if (v !== undefined) values[k] = v;
    }
    // The two-factor rule keeps its own column (read by the sign-in path); mirrored in `values` for its source.
    const requireTwoFactor = typeof values.requireTwoFactor === 'boolean' ? values.requireTwoFactor : false;
    await db
      .insert(serverSettings)
      .values({ id: 1, values, requireTwoFactor, updatedAt: new Date() })
      .onConflictDoUpdate({ target: serverSettings.id, set: { values, requireTwoFactor, updatedAt: new Date() } });
    this.forget();
  }

  /** The two-factor rule alone (GET /admin/settings, the sign-in path). */
  async get(): Promise<ServerSettings> {
    return { requireTwoFactor: (await this.values()).requireTwoFactor };
  }

  /** The next read goes to the database (after a change by this instance). */
  forget(): void {
    this.cached = undefined;
  }

  private async stored(): Promise<Stored> {
    if (this.cached && Date.now() - this.cached.at < FRESH_MS) return this.cached.value;
    const [row] = await this.db.select({ values: serverSettings.values, requireTwoFactor: serverSettings.requireTwoFactor }).from(serverSettings).where(eq(serverSettings.id, 1));
    const values = { ...((row?.values ?? {}) as Partial<SettingValues>) };
    // A row written before `values` existed (or by PATCH /admin/settings) holds the rule in its column only.
    if (row?.requireTwoFactor && values.requireTwoFactor === undefined) values.requireTwoFactor = true;
    const value = { values };
    this.cached = { value, at: Date.now() };
    return value;
  }
}
