import { useState } from 'preact/hooks';
import { operations as ops, type AdminUser } from '@coffer/protocol';
import { Button, Checkbox, Dialog, TextField } from '@coffer/web/ui';
import { ApiError, call } from '@coffer/web/api';
import { t } from './messages';
import { bytesOfGib } from './quota';

/** Create an account: username, password, email, role, quota (GiB), first-sign-in password change. */
export function NewUserDialog(props: { onClose: () => void; onCreated: (u: AdminUser) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<'user' | 'admin'>('user');
  const [quota, setQuota] = useState('10');
  const [mustChange, setMustChange] = useState(true);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const quotaBytes = bytesOfGib(quota);
    if (quotaBytes === undefined) return setError(t('quotaGiB'));
    setBusy(true);
    setError('');
    try {
      const u = await call(ops.adminCreateUser, { body: { username, password, role, quotaBytes, email: email.trim() || null, mustChangePassword: mustChange } });
      props.onCreated(u);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('newUser')} onClose={props.onClose}>
      <form onSubmit={submit}>
        <TextField label={t('username')} value={username} onInput={(e) => setUsername(e.currentTarget.value)} required autocomplete="off" />
        <TextField label={t('password')} hint={t('passwordHint')} type="password" autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required minLength={8} />
        <TextField label={t('email')} type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        <div class="field select-field">
          <label for="new-user-role">{t('role')}</label>
          <select id="new-user-role" class="input" value={role} onChange={(e) => setRole(e.currentTarget.value as 'user' | 'admin')}>
            <option value="user">{t('roleUser')}</option>
            <option value="admin">{t('roleAdmin')}</option>
          </select>
        </div>
        <TextField label={t('quotaGiB')} hint={t('quotaHint')} inputMode="decimal" value={quota} onInput={(e) => setQuota(e.currentTarget.value)} required />
        <div class="check-row">
          <Checkbox id="new-user-must-change" label={t('mustChange')} checked={mustChange} onChange={(e) => setMustChange(e.currentTarget.checked)} />
          <label for="new-user-must-change">{t('mustChange')}</label>
        </div>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <div class="dialog-actions flush">
          <Button onClick={props.onClose}>{t('cancel')}</Button>
          <Button variant="primary" type="submit" disabled={busy}>
            {t('create')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
