import { useState } from 'preact/hooks';
import { userOperations as ops } from '@coffer/protocol';
import { ApiError, call } from '../../api/client';
import { loadMe, signOut } from '../../session/session';
import { Button, TextField } from '../../ui/index';
import { t } from './messages';

/** The forced password change: until it is done the server answers nothing else (but sign-out). */
export function PasswordChange() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <main class="auth-page">
      <form
        class="card auth-card"
        onSubmit={async (e) => {
          e.preventDefault();
          if (next !== again) return setError(t('mismatch'));
          if (next.length < 8) return setError(t('tooShort'));
          setBusy(true);
          setError(undefined);
          try {
            await call(ops.changePassword, { body: { current, new: next } });
            await loadMe();
          } catch (err) {
            setError(err instanceof ApiError && err.code === 'wrong_password' ? t('wrongCurrent') : err instanceof ApiError ? err.message : String(err));
            setBusy(false);
          }
        }}
      >
        <h1>{t('changeTitle')}</h1>
        <p class="muted">{t('changeWhy')}</p>
        <TextField label={t('current')} type="password" autoComplete="current-password" required value={current} onInput={(e) => setCurrent(e.currentTarget.value)} />
        <TextField label={t('newPassword')} type="password" autoComplete="new-password" required minLength={8} value={next} onInput={(e) => setNext(e.currentTarget.value)} />
        <TextField label={t('confirm')} type="password" autoComplete="new-password" required value={again} onInput={(e) => setAgain(e.currentTarget.value)} />
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <Button type="submit" variant="primary" disabled={busy} class="wide">
          {t('save')}
        </Button>
        <Button variant="ghost" onClick={() => void signOut()}>
          {t('signOut')}
        </Button>
      </form>
    </main>
  );
}
