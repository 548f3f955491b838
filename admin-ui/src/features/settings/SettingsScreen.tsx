import { useEffect, useState } from 'preact/hooks';
import { operations as ops, type ServerSettings } from '@coffer/protocol';
import { Checkbox, toast } from '@coffer/web/ui';
import { call } from '../../api/client';
import { t as tApp } from '../../app/messages';
import { NotYet, Page, Section } from '../../app/Page';
import { t } from './messages';

/** Server-wide settings with their effective value and where it comes from. */
export function SettingsScreen() {
  const [settings, setSettings] = useState<ServerSettings | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    call(ops.getServerSettings).then(setSettings, (err: Error) => setError(err.message));
  }, []);
  const set = async (requireTwoFactor: boolean) => {
    try {
      setSettings(await call(ops.updateServerSettings, { body: { requireTwoFactor } }));
      toast(t('saved'));
    } catch (err) {
      toast((err as Error).message);
    }
  };
  return (
    <Page title={tApp('settings')} error={error}>
      <Section title={t('security')}>
        {settings && (
          <table class="table settings-table">
            <thead>
              <tr>
                <th scope="col">{tApp('settings')}</th>
                <th scope="col">{t('effective')}</th>
                <th scope="col">{t('source')}</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td class="cell-main">
                  <div class="check-row">
                    <Checkbox id="require-2fa" label={t('requireTwoFactor')} checked={settings.requireTwoFactor} onChange={(e) => void set(e.currentTarget.checked)} />
                    <label for="require-2fa">{t('requireTwoFactor')}</label>
                  </div>
                  <div class="muted">{t('requireTwoFactorHint')}</div>
                </td>
                <td data-label={t('effective')}>{settings.requireTwoFactor ? t('on') : t('off')}</td>
                <td data-label={t('source')}>
                  <span class="badge">{t('database')}</span>
                </td>
              </tr>
            </tbody>
          </table>
        )}
      </Section>
      <Section title={t('others')}>
        <p class="muted">{t('othersHint')}</p>
        <NotYet />
      </Section>
    </Page>
  );
}
