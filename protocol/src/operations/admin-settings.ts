/** Run-time settings with their effective values and sources (admin only). */
import { operation } from '../operation.js';
import { AdminSettings, AdminSettingsPut } from '../shapes/admin-settings.js';

export const adminGetSettings = operation({
  id: 'adminGetSettings',
  method: 'GET',
  path: '/admin/settings/values',
  tag: 'admin',
  summary: 'Every run-time setting with its effective value and where it comes from: environment, database or default (admin only)',
  auth: 'admin',
  answers: { 200: { description: 'The settings', json: AdminSettings } },
});

export const adminPutSettings = operation({
  id: 'adminPutSettings',
  method: 'PUT',
  path: '/admin/settings/values',
  tag: 'admin',
  summary: 'Set database values of settings (null drops one) (admin only)',
  description:
    '409 `setting_pinned` (`details.settings`, `details.env`) when the environment sets one of them: change the environment instead. ' +
    '409 `two_factor_not_enabled` when requiring two-factor sign-in and the administrator has no second factor. Nothing changes on a refusal.',
  auth: 'admin',
  body: { json: AdminSettingsPut, maxBytes: 8 * 1024 },
  answers: { 200: { description: 'The settings now', json: AdminSettings } },
  errors: [409],
});
