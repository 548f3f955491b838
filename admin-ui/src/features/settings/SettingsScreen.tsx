import { useState } from 'preact/hooks';
import { operations as ops, SETTING_KEYS, type AdminSettings, type SettingKey } from '@coffer/protocol';
import { Button, CheckField, toast } from '@coffer/web/ui';
import { ApiError, call } from '@coffer/web/api';
import { formatSize } from '../../app/format';
import { t as tApp } from '../../app/messages';
import { Page, Section } from '../../app/Page';
import { usePoll } from '../../app/poll';
import { t } from './messages';
import { SettingEditor } from './SettingEditor';

type Value = AdminSettings[SettingKey]['value'];

/** A setting's value in words: on/off, a size, a number of days. */
export function shown(key: SettingKey, v: Value): string {
  if (typeof v === 'boolean') return v ? t('on') : t('off');
  if (key === 'defaultQuotaBytes') return formatSize(v);
  if (key === 'linkMaxExpiryDays' && v === 0) return t('noLimit');
  if (key === 'maxVersions') return String(v);
  return t('days', { n: v });
}

function why(err: unknown): string {
  if (err instanceof ApiError && err.code === 'setting_pinned') return t('pinned');
  if (err instanceof ApiError && err.code === 'two_factor_not_enabled') return t('needTwoFactor');
  return err instanceof Error ? err.message : String(err);
}

/** Every run-time setting: its effective value, where it comes from (environment, database, default), and an editor unless the environment pins it. */
export function SettingsScreen() {
  const [settings, setSettings] = useState<AdminSettings | undefined>();
  const [error, setError] = useState<string | undefined>();
  usePoll(async () => {
    try {
      setSettings(await call(ops.adminGetSettings));
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  }, 30_000);
  const put = async (key: SettingKey, value: Value | null) => {
    try {
      setSettings(await call(ops.adminPutSettings, { body: { [key]: value } }));
      toast(t('saved'));
    } catch (err) {
      toast(why(err));
    }
  };
  return (
    <Page title={tApp('settings')} error={error}>
      <Section title={t('all')}>
        <p class="muted">{t('intro')}</p>
        {settings === undefined ? (
          !error && <div class="spinner" role="status" aria-label={tApp('loading')} />
        ) : (
          <table class="table settings-table">
            <thead>
              <tr>
                <th scope="col">{t('setting')}</th>
                <th scope="col">{t('effective')}</th>
                <th scope="col">{t('source')}</th>
                <th scope="col">{t('change')}</th>
              </tr>
            </thead>
            <tbody>
              {SETTING_KEYS.map((key) => {
                const s = settings[key];
                return (
                  <tr key={key} data-testid={`setting-${key}`}>
                    <td class="cell-main">
                      {t(`name_${key}`)}
                      <div class="muted setting-hint">{t(`hint_${key}`)}</div>
                    </td>
                    <td data-label={t('effective')}>
                      <strong>{shown(key, s.value)}</strong>
                      {s.value !== s.defaultValue && <div class="muted">{t('defaultIs', { v: shown(key, s.defaultValue) })}</div>}
                    </td>
                    <td data-label={t('source')} class="cell-wide">
                      <span class={s.source === 'environment' ? 'badge badge-warn' : s.source === 'database' ? 'badge badge-info' : 'badge'}>{t(`source_${s.source}`)}</span>
                      {s.env && <div class="muted env-name">{s.source === 'environment' ? <code>{s.env}</code> : t('envCan', { env: s.env })}</div>}
                    </td>
                    <td data-label={t('change')} class="cell-wide">
                      {s.source === 'environment' ? (
                        <span class="muted">{t('pinnedBy', { env: s.env ?? '' })}</span>
                      ) : typeof s.value === 'boolean' ? (
                        <CheckField id={`set-${key}`} label={t(`name_${key}`)} text={s.value ? t('on') : t('off')} checked={s.value} onChange={(v) => void put(key, v)} />
                      ) : (
                        <SettingEditor settingKey={key} value={s.value} onSave={(v) => void put(key, v)} />
                      )}
                      {s.source === 'database' && (
                        <Button variant="ghost" onClick={() => void put(key, null)}>
                          {t('useDefault')}
                        </Button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Section>
    </Page>
  );
}
