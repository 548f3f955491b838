import { useState } from 'preact/hooks';
import { Button, TextField } from '@coffer/web/ui';
import { ApiError } from '@coffer/web/api';
import { t } from './messages';
import { needsSecondStep, signIn } from './session';

/** Sign-in with a password; an account with a second factor finishes in the web app, which has those screens. */
export function SignIn() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await signIn(username, password);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 429 ? t('tooMany') : err instanceof ApiError && err.status < 500 ? t('wrongPassword') : t('failed', { why: (err as Error).message }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="auth-page" id="main">
      <form class="card auth-card" onSubmit={submit}>
        <span class="brand">Coffer</span>
        <h1>{t('signInTitle')}</h1>
        {needsSecondStep.value ? (
          <>
            <p>{t('secondStep')}</p>
            <a class="btn btn-primary wide" href="/">
              {t('openApp')}
            </a>
          </>
        ) : (
          <>
            <TextField label={t('username')} autocomplete="username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required />
            <TextField label={t('password')} type="password" autocomplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required />
            {error && (
              <p class="form-error" role="alert">
                {error}
              </p>
            )}
            <Button variant="primary" type="submit" class="wide" disabled={busy}>
              {t('signIn')}
            </Button>
          </>
        )}
      </form>
    </main>
  );
}
