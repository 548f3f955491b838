import { useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import { signIn } from '../../session/session';
import { Button, TextField } from '../../ui/index';
import { LanguageSwitch } from '../../app/LanguageSwitch';
import { PasskeySignIn } from '../account/PasskeySignIn';
import { t } from './messages';

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

export function SignIn() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  return (
    <main class="auth-page">
      <form
        class="card auth-card"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            await signIn(username.trim(), password);
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
        <TextField label={t('username')} name="username" autoComplete="username" autoCapitalize="none" spellcheck={false} required value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        <TextField label={t('password')} name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <Button type="submit" variant="primary" disabled={busy} class="wide">
          {busy ? t('signingIn') : t('signIn')}
        </Button>
        <PasskeySignIn onError={setError} />
        <LanguageSwitch />
      </form>
    </main>
  );
}
