import { useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import { signIn } from '../../session/session';
import { Button, TextField } from '../../ui/index';
import { LanguageSwitch } from '../../app/LanguageSwitch';
import { PasskeySignIn } from '../account/PasskeySignIn';
import { t } from './messages';
import { SsoSignIn, useAuthMethods } from './SsoSignIn';

function reason(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 401) return t('wrong');
    if (err.code === 'account_disabled') return t('disabled');
    if (err.status === 429) {
      const s = (err.details as { retryAfter?: number } | undefined)?.retryAfter;
      return t('tooMany', { s: s ?? 60 });
    }
    return t('failed', { msg: err.message });
  }
  return t('failed', { msg: String(err) });
}

/**
 * What a single sign-on that came back failed with: the server sends the browser to `/?sso_error=CODE`
 * (by code only). Read once, and taken off the address so a reload does not say it again.
 */
function ssoFailure(): string | undefined {
  const url = new URL(window.location.href);
  const code = url.searchParams.get('sso_error');
  if (code === null) return undefined;
  url.searchParams.delete('sso_error');
  history.replaceState(history.state, '', url.pathname + url.search + url.hash);
  if (code === 'sso_state_invalid') return t('ssoExpired');
  if (code === 'unavailable') return t('ssoUnavailable');
  if (code === 'account_disabled') return t('disabled');
  return t('ssoFailed');
}

export function SignIn() {
  const [username, setUsername] = useState('');
  const [passwordText, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(ssoFailure);
  const methods = useAuthMethods();
  // Until the server says otherwise, the password form shows (a server without SSO answers quickly).
  const password = methods?.password ?? true;
  return (
    <main class="auth-page">
      <form
        class="card auth-card"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            await signIn(username.trim(), passwordText);
          } catch (err) {
            setError(reason(err));
            setBusy(false);
          }
        }}
      >
        <div class="brand" aria-hidden="true">
          Coffer
        </div>
        <h1>{t('title')}</h1>
        {methods?.sso && <SsoSignIn sso={methods.sso} primary={!password} />}
        {methods?.sso && password && <p class="auth-or">{t('or')}</p>}
        {password && (
          <>
            <TextField label={t('username')} name="username" autoComplete="username" autoCapitalize="none" spellcheck={false} required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
            <TextField label={t('password')} name="password" type="password" autoComplete="current-password" required value={passwordText} onInput={(e) => setPassword(e.currentTarget.value)} />
          </>
        )}
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        {password && (
          <Button type="submit" variant="primary" disabled={busy} class="wide">
            {busy ? t('signingIn') : t('signIn')}
          </Button>
        )}
        <PasskeySignIn onError={setError} />
        <LanguageSwitch />
      </form>
    </main>
  );
}
