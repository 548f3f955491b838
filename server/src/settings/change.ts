/** An admin's change to the run-time settings: checked, stored and audited in one transaction. */
import type { AdminSettings, AdminSettingsPut } from '@coffer/protocol';
import { recordAudit, type Actor } from '../audit/record.js';
import { hasSecondFactor } from '../auth/two-factor/factors.js';
import type { Db } from '../db/open.js';
import { ConflictError } from '../http-errors.js';
import type { SettingsStore } from './store.js';

export async function changeSettings(db: Db, settings: SettingsStore, actor: Actor & { id: string }, patch: AdminSettingsPut): Promise<AdminSettings> {
  // Like GitHub's organisations: whoever requires a second factor has one, or they would lock themselves out.
  if (patch.requireTwoFactor && !(await hasSecondFactor(db, actor.id))) {
    throw new ConflictError('enrol a second factor yourself before requiring one for everyone', { code: 'two_factor_not_enabled' });
  }
  await db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    await settings.put(t, patch);
    await recordAudit(t, actor, { kind: 'settings_changed', target: Object.keys(patch).join(', '), details: { ...patch } });
  });
  settings.forget();
  return settings.describe();
}
