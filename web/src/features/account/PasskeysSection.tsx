/** Passkeys: the list, adding one (a WebAuthn registration in this browser), removing one. */
import { browserSupportsWebAuthn, startRegistration, type PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/browser';
import { useState } from 'preact/hooks';
import { userOperations as ops, type Passkey, type WebAuthnCredential } from '@coffer/protocol';
import { call } from '../../api/client';
import { formatDate } from '../../i18n/i18n';
import { Button, TextField, toast } from '../../ui/index';
import { reasonOf } from './errors';
import { t } from './messages';
import { ReauthDialog } from './ReauthDialog';
import { reloadTwoFactor, shownCodes, twoFactor } from './status';

export function PasskeysSection() {
  const status = twoFactor.value;
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [removing, setRemoving] = useState<Passkey>();
  if (!status) return null;
  const supported = browserSupportsWebAuthn();
  return (
    <section class="card account-section" aria-labelledby="passkeys-title">
      <div class="section-head">
        <h3 id="passkeys-title">{t('passkeysTitle')}</h3>
        <span class={`badge${status.passkeys.length ? ' badge-on' : ''}`}>{status.passkeys.length ? t('on') : t('off')}</span>
      </div>
      <p class="muted">{t('passkeysWhy')}</p>
      {status.passkeys.length === 0 ? (
        <p>{t('passkeysNone')}</p>
      ) : (
        <ul class="item-list" aria-label={t('passkeysTitle')}>
          {status.passkeys.map((p) => (
            <li key={p.id}>
              <div>
                <strong>{p.name}</strong>
                <div class="muted small">
                  {t('added', { date: formatDate(p.createdAt) })} · {p.lastUsedAt ? t('lastUsed', { date: formatDate(p.lastUsedAt) }) : t('neverUsed')}
                </div>
              </div>
              <Button variant="danger" aria-label={`${t('remove')}: ${p.name}`} onClick={() => setRemoving(p)}>
                {t('remove')}
              </Button>
            </li>
          ))}
        </ul>
      )}
      {supported ? (
        <form
          class="inline-form"
          onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            setError(undefined);
            try {
              const ceremony = await call(ops.startPasskeyRegistration);
              const credential = await startRegistration({ optionsJSON: ceremony.options as unknown as PublicKeyCredentialCreationOptionsJSON });
              const added = await call(ops.addPasskey, { body: { ticket: ceremony.ticket, name: name.trim(), credential: credential as unknown as WebAuthnCredential } });
              setName('');
              if (added.recoveryCodes) shownCodes.value = added.recoveryCodes;
              await reloadTwoFactor();
            } catch (err) {
              setError(reasonOf(err));
            }
            setBusy(false);
          }}
        >
          <TextField label={t('passkeyName')} hint={t('passkeyNameHint')} maxLength={100} required value={name} error={error} onInput={(e) => setName(e.currentTarget.value)} />
          <Button type="submit" variant="primary" disabled={busy || !name.trim()}>
            {busy ? t('adding') : t('addPasskey')}
          </Button>
        </form>
      ) : (
        <p class="muted">{t('passkeyUnsupported')}</p>
      )}
      {removing && (
        <ReauthDialog
          title={`${t('remove')}: ${removing.name}`}
          action={t('remove')}
          hasCode={status.enabled}
          onClose={() => setRemoving(undefined)}
          run={async (proof) => {
            await call(ops.removePasskey, { params: { id: removing.id }, body: proof });
            toast(t('removed'));
            await reloadTwoFactor();
          }}
        />
      )}
    </section>
  );
}
