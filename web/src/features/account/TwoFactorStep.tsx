/** The second step of a sign-in: a code from the authenticator app, a recovery code, or a passkey. */
import { startAuthentication, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { useState } from 'preact/hooks';
import { userOperations as ops, type TwoFactorChallenge, type WebAuthnCredential } from '@coffer/protocol';
import { ApiError, call } from '../../api/client';
import { LanguageSwitch } from '../../app/LanguageSwitch';
import { secondStep, signedIn } from '../../session/session';
import { Button, TextField } from '../../ui/index';
import { reasonOf } from './errors';
import { t } from './messages';

type Challenge = TwoFactorChallenge['twoFactor'];

export function TwoFactorStep(props: { challenge: Challenge }) {
  const { challenge } = props;
  const hasApp = challenge.methods.includes('totp');
  const [mode, setMode] = useState<'totp' | 'recovery'>(hasApp ? 'totp' : 'recovery');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function finish(answer: { totp: string } | { recoveryCode: string } | { passkey: WebAuthnCredential }) {
    setBusy(true);
    setError(undefined);
    try {
      await call(ops.completeTwoFactorLogin, { body: { ticket: challenge.ticket, ...answer } });
      await signedIn();
    } catch (err) {
      // A dead ticket cannot be retried: back to the password.
      if (err instanceof ApiError && err.code === 'two_factor_ticket_invalid') secondStep.value = null;
      setError(reasonOf(err));
      setBusy(false);
    }
  }

  async function passkey() {
    try {
      const credential = await startAuthentication({ optionsJSON: challenge.passkeyOptions as unknown as PublicKeyCredentialRequestOptionsJSON });
      await finish({ passkey: credential as unknown as WebAuthnCredential });
    } catch (err) {
      setError(t('passkeyFailed', { msg: err instanceof Error ? err.message : String(err) }));
    }
  }

  const why = mode === 'recovery' ? (challenge.passkeyOptions && !hasApp ? t('stepWhyPasskeyRecovery') : t('stepWhyRecovery')) : challenge.passkeyOptions ? t('stepWhyPasskey') : t('stepWhy');
  return (
    <main class="auth-page">
      <form
        class="card auth-card"
        onSubmit={(e) => {
          e.preventDefault();
          const c = code.trim();
          void finish(mode === 'totp' ? { totp: c.replace(/\s/g, '') } : { recoveryCode: c });
        }}
      >
        <div class="brand" aria-hidden="true">
          Coffer
        </div>
        <h1>{t('stepTitle')}</h1>
        <p class="muted">{why}</p>
        {challenge.passkeyOptions && (
          <Button variant="primary" class="wide" disabled={busy} onClick={() => void passkey()}>
            {t('usePasskey')}
          </Button>
        )}
        {hasApp || mode === 'recovery' ? (
          mode === 'totp' ? (
            <TextField
              key="totp"
              label={t('code')}
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9 ]{6,7}"
              maxLength={7}
              required
              value={code}
              onInput={(e) => setCode(e.currentTarget.value)}
            />
          ) : (
            <TextField key="recovery" label={t('recoveryCode')} name="recovery" autoComplete="off" autoCapitalize="none" spellcheck={false} required value={code} onInput={(e) => setCode(e.currentTarget.value)} />
          )
        ) : null}
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <Button type="submit" variant={challenge.passkeyOptions ? 'default' : 'primary'} disabled={busy} class="wide">
          {busy ? t('verifying') : t('verify')}
        </Button>
        <div class="step-links">
          {challenge.methods.includes('recovery') && mode === 'totp' && (
            <Button variant="ghost" onClick={() => (setMode('recovery'), setCode(''), setError(undefined))}>
              {t('useRecovery')}
            </Button>
          )}
          {hasApp && mode === 'recovery' && (
            <Button variant="ghost" onClick={() => (setMode('totp'), setCode(''), setError(undefined))}>
              {t('useApp')}
            </Button>
          )}
          <Button variant="ghost" onClick={() => (secondStep.value = null)}>
            {t('backToSignIn')}
          </Button>
        </div>
        <LanguageSwitch />
      </form>
    </main>
  );
}
