/**
 * Which environment variable pins each run-time setting. A variable that is set (non-empty) wins
 * over the database, and an admin's change to that setting is refused: the operator's deployment
 * files stay the truth. A bad value stops the boot, like any other bad configuration.
 */
import { SETTING_DEFAULTS, SETTING_VALUES, type SettingKey, type SettingValues } from '@coffer/protocol';

export const SETTING_ENV: Readonly<Record<SettingKey, string | null>> = {
  openSignup: 'COFFER_OPEN_SIGNUP',
  defaultQuotaBytes: 'COFFER_DEFAULT_QUOTA_BYTES',
  trashDays: 'COFFER_TRASH_DAYS',
  maxVersions: 'COFFER_MAX_VERSIONS',
  allowPublicLinks: 'COFFER_ALLOW_PUBLIC_LINKS',
  linkRequirePassword: 'COFFER_LINK_REQUIRE_PASSWORD',
  linkMaxExpiryDays: 'COFFER_LINK_MAX_EXPIRY_DAYS',
  auditRetentionDays: 'COFFER_AUDIT_RETENTION_DAYS',
  journalRetentionDays: 'COFFER_JOURNAL_RETENTION_DAYS',
  // Kept in the database only (the two-factor settings page turns it on).
  requireTwoFactor: null,
};

const FLAGS: Record<string, boolean> = { '1': true, true: true, '0': false, false: false };

/** The settings the environment sets, parsed with the settings' own rules. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): Partial<SettingValues> {
  const out: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(SETTING_ENV) as [SettingKey, string | null][]) {
    const raw = name ? env[name]?.trim() : undefined;
    if (!name || raw === undefined || raw === '') continue;
    const schema = SETTING_VALUES[key];
    const value = typeof SETTING_DEFAULTS[key] === 'boolean' ? FLAGS[raw.toLowerCase()] : /^\d+$/.test(raw) ? Number(raw) : undefined;
    const r = schema.safeParse(value);
    if (!r.success) throw new Error(`invalid configuration: ${name}: ${r.error.issues[0]?.message ?? 'not a valid value'}`);
    out[key] = r.data;
  }
  return out as Partial<SettingValues>;
}
