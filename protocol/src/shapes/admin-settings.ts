/**
 * Server settings an operator changes at run time, each with its effective value and where that
 * comes from: the environment pins a setting (the database value is then refused), else the
 * database, else the default.
 */
import { z } from 'zod';
import { count } from '../fields.js';

export const SETTING_SOURCES = ['environment', 'database', 'default'] as const;
export type SettingSource = (typeof SETTING_SOURCES)[number];

const GiB = 1024 ** 3;
/** Each setting's value schema (a PUT body field takes the same, or null to drop the database value). */
export const SETTING_VALUES = {
  openSignup: z.boolean().register(z.globalRegistry, { description: 'Anyone may create an account at POST /auth/signup' }),
  defaultQuotaBytes: count().register(z.globalRegistry, { description: 'Quota of a new account when none is given' }),
  trashDays: z.number().int().min(1).max(36_500).register(z.globalRegistry, { description: 'Trash older than this is purged' }),
  maxVersions: z.number().int().min(1).max(100_000).register(z.globalRegistry, { description: 'Versions kept per file at most (after thinning)' }),
  allowPublicLinks: z.boolean().register(z.globalRegistry, { description: 'Users may make public links and file drops' }),
  linkRequirePassword: z.boolean().register(z.globalRegistry, { description: 'New public links must have a password' }),
  linkMaxExpiryDays: z.number().int().min(0).max(36_500).register(z.globalRegistry, { description: 'New links expire within this many days (0: no limit)' }),
  auditRetentionDays: z.number().int().min(1).max(36_500).register(z.globalRegistry, { description: 'Audit events older than this are trimmed' }),
  journalRetentionDays: z
    .number()
    .int()
    .min(1)
    .max(36_500)
    .register(z.globalRegistry, { description: 'Change journal entries older than this are pruned (a device offline longer lists its tree again)' }),
  requireTwoFactor: z.boolean().register(z.globalRegistry, { description: 'Every account must enrol a second factor' }),
} as const;
export type SettingKey = keyof typeof SETTING_VALUES;
export const SETTING_KEYS = Object.keys(SETTING_VALUES) as SettingKey[];
export type SettingValues = { [K in SettingKey]: z.infer<(typeof SETTING_VALUES)[K]> };

export const SETTING_DEFAULTS: SettingValues = {
  openSignup: false,
  defaultQuotaBytes: 10 * GiB,
  trashDays: 30,
  maxVersions: 100,
  allowPublicLinks: true,
  linkRequirePassword: false,
  linkMaxExpiryDays: 0,
  auditRetentionDays: 365,
  journalRetentionDays: 30,
  requireTwoFactor: false,
};

function effective<S extends z.ZodType>(value: S) {
  return z.object({
    value,
    source: z.enum(SETTING_SOURCES),
    env: z.string().nullable().register(z.globalRegistry, { description: 'The environment variable that pins it, when one can' }),
    defaultValue: value,
  });
}

const V = SETTING_VALUES;
export const AdminSettings = z
  .object({
    openSignup: effective(V.openSignup),
    defaultQuotaBytes: effective(V.defaultQuotaBytes),
    trashDays: effective(V.trashDays),
    maxVersions: effective(V.maxVersions),
    allowPublicLinks: effective(V.allowPublicLinks),
    linkRequirePassword: effective(V.linkRequirePassword),
    linkMaxExpiryDays: effective(V.linkMaxExpiryDays),
    auditRetentionDays: effective(V.auditRetentionDays),
    journalRetentionDays: effective(V.journalRetentionDays),
    requireTwoFactor: effective(V.requireTwoFactor),
  } satisfies Record<SettingKey, unknown>)
  .register(z.globalRegistry, { id: 'AdminSettings', description: 'Every run-time setting: its effective value, its source, its default.' });
export type AdminSettings = z.infer<typeof AdminSettings>;

export const AdminSettingsPut = z
  .strictObject({
    openSignup: V.openSignup.nullable().optional(),
    defaultQuotaBytes: V.defaultQuotaBytes.nullable().optional(),
    trashDays: V.trashDays.nullable().optional(),
    maxVersions: V.maxVersions.nullable().optional(),
    allowPublicLinks: V.allowPublicLinks.nullable().optional(),
    linkRequirePassword: V.linkRequirePassword.nullable().optional(),
    linkMaxExpiryDays: V.linkMaxExpiryDays.nullable().optional(),
    auditRetentionDays: V.auditRetentionDays.nullable().optional(),
    journalRetentionDays: V.journalRetentionDays.nullable().optional(),
    requireTwoFactor: V.requireTwoFactor.nullable().optional(),
  } satisfies Record<SettingKey, unknown>)
  .refine((b) => Object.keys(b).length > 0, 'name at least one setting')
  .register(z.globalRegistry, {
    description:
      'Database values to set; null drops one (back to the default). A setting the environment pins is refused (409 `setting_pinned`).',
  });
export type AdminSettingsPut = z.infer<typeof AdminSettingsPut>;
