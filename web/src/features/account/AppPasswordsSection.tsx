/** App passwords for WebDAV, rclone and scripts: create (shown once) and revoke. */
import { useEffect, useState } from 'preact/hooks';
import { userOperations as ops, type AppPassword, type AppPasswordCreated } from '@coffer/protocol';
import { call } from '../../api/client';
import { formatDate } from '../../i18n/i18n';
import { Button, TextField, toast } from '../../ui/index';
import { reasonOf } from './errors';
import { t } from './messages';
import { SecretShown } from './RecoveryCodesShown';

export function AppPasswordsSection() {
  const [list, setList] = useState<AppPassword[]>();
  const [label, setLabel] = useState('');
  const [created, setCreated] = useState<AppPasswordCreated>();
  const [error, setError] = useState<string>();
  const reload = async () => setList((await call(ops.listAppPasswords)).appPasswords);
  useEffect(() => {
    reload().catch((err: unknown) => setError(reasonOf(err)));
  }, []);
  return (
    <section class="card account-section" aria-labelledby="apppw-title">
      <h2 id="apppw-title">{t('appPasswordsTitle')}</h2>
      <p class="muted">{t('appPasswordsWhy')}</p>
      {list && list.length === 0 && <p>{t('appPasswordsNone')}</p>}
      {list && list.length > 0 && (
        <ul class="item-list" aria-label={t('appPasswordsTitle')}>
          {list.map((a) => (
            <li key={a.id}>
              <div>
                <strong>{a.label}</strong>
                <div class="muted small">
                  {t('added', { date: formatDate(a.createdAt) })} · {a.lastUsedAt ? t('lastUsed', { date: formatDate(a.lastUsedAt) }) : t('neverUsed')}
                </div>
              </div>
              <Button
                variant="danger"
                aria-label={`${t('revoke')}: ${a.label}`}
                onClick={async () => {
                  try {
                    await call(ops.deleteAppPassword, { params: { id: a.id } });
                    toast(t('revoked', { label: a.label }));
                    await reload();
                  } catch (err) {
                    toast(reasonOf(err));
                  }
                }}
              >
                {t('revoke')}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <form
        class="inline-form"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(undefined);
          try {
            setCreated(await call(ops.createAppPassword, { body: { label: label.trim() } }));
            setLabel('');
            await reload();
          } catch (err) {
            setError(reasonOf(err));
          }
        }}
      >
        <TextField label={t('appPasswordLabel')} maxLength={100} required value={label} error={error} onInput={(e) => setLabel(e.currentTarget.value)} />
        <Button type="submit" disabled={!label.trim()}>
          {t('create')}
        </Button>
      </form>
      {created && <SecretShown title={t('createdTitle')} why={t('createdWhy')} secret={created.password} onClose={() => setCreated(undefined)} />}
    </section>
  );
}
