/** The authenticator app: set up (QR code and key, confirmed by a first code) or remove. */
import { useState } from 'preact/hooks';
import { userOperations as ops, type TotpEnrolment } from '@coffer/protocol';
import { call } from '../../api/client';
import { Button, TextField, toast } from '../../ui/index';
import { reasonOf } from './errors';
import { t } from './messages';
import { QrCode } from './QrCode';
import { ReauthDialog } from './ReauthDialog';
import { reloadTwoFactor, shownCodes, twoFactor } from './status';

/** The key in groups of four, as apps show it. */
const grouped = (s: string) => s.replace(/(.{4})(?=.)/g, '$1 ');

export function TotpSection() {
  const status = twoFactor.value;
  const [pending, setPending] = useState<TotpEnrolment>();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [removing, setRemoving] = useState(false);
  if (!status) return null;
  const on = status.totp;
  return (
    <section class="card account-section" aria-labelledby="totp-title">
      <div class="section-head">
        <h3 id="totp-title">{t('totpTitle')}</h3>
        <span class={`badge${on ? ' badge-on' : ''}`}>{on ? t('on') : t('off')}</span>
      </div>
      <p class="muted">{on ? t('totpOn') : t('totpWhy')}</p>
      {on && (
        <Button variant="danger" onClick={() => setRemoving(true)}>
          {t('remove')}
        </Button>
      )}
      {!on && !pending && (
        <Button
          variant="primary"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              setPending(await call(ops.startTotpEnrolment));
            } catch (err) {
              toast(reasonOf(err));
            }
            setBusy(false);
          }}
        >
          {t('totpSetUp')}
        </Button>
      )}
      {!on && pending && (
        <form
          class="totp-setup"
          onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            setError(undefined);
            try {
              const done = await call(ops.confirmTotpEnrolment, { body: { code: code.replace(/\s/g, '') } });
              setPending(undefined);
              setCode('');
              if (done.recoveryCodes) shownCodes.value = done.recoveryCodes;
              await reloadTwoFactor();
            } catch (err) {
              setError(reasonOf(err));
            }
            setBusy(false);
          }}
        >
          <p>{t('totpScan')}</p>
          <QrCode text={pending.uri} label={t('totpQr')} />
          <p class="totp-key">
            <span class="muted">{t('totpKey')}: </span>
            <code data-testid="totp-secret" data-secret={pending.secret}>
              {grouped(pending.secret)}
            </code>
          </p>
          <TextField label={t('totpConfirm')} inputMode="numeric" autoComplete="one-time-code" maxLength={7} required value={code} error={error} onInput={(e) => setCode(e.currentTarget.value)} />
          <div class="row">
            <Button type="submit" variant="primary" disabled={busy}>
              {t('confirm')}
            </Button>
            <Button onClick={() => (setPending(undefined), setCode(''), setError(undefined))}>{t('cancel')}</Button>
          </div>
        </form>
      )}
      {removing && (
        <ReauthDialog
          title={`${t('remove')}: ${t('totpTitle')}`}
          action={t('remove')}
          hasCode
          onClose={() => setRemoving(false)}
          run={async (proof) => {
            await call(ops.removeTotp, { body: proof });
            toast(t('removed'));
            await reloadTwoFactor();
          }}
        />
      )}
    </section>
  );
}
