import { useState } from 'preact/hooks';
import { operations as ops, type AdminUser } from '@coffer/protocol';
import { Button, Dialog, SelectField, TextField, toast } from '@coffer/web/ui';
import { ApiError, call } from '@coffer/web/api';
import { AccessSection } from './AccessSection';
import { t } from './messages';
import { QuotaUsage } from './QuotaUsage';
import { bytesOfGib, gibOf } from './quota';

type Patch = NonNullable<Parameters<typeof call<typeof ops.adminUpdateUser>>[1]>['body'];

function why(err: unknown): string {
  if (err instanceof ApiError && err.code === 'last_admin') return t('lastAdmin');
  return err instanceof Error ? err.message : String(err);
}

/** Everything an admin does to one account: role, quota, disable, passwords, second factors, delete. */
export function ManageUserDialog(props: { user: AdminUser; self: boolean; onClose: () => void; onChanged: () => void; onDelete: () => void }) {
  const u = props.user;
  const [quota, setQuota] = useState(gibOf(u.quotaBytes));
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const patch = async (body: Patch) => {
    setError('');
    try {
      await call(ops.adminUpdateUser, { params: { id: u.id }, body });
      toast(t('saved'));
      props.onChanged();
    } catch (err) {
      setError(why(err));
    }
  };
  const saveQuota = (e: Event) => {
    e.preventDefault();
    const quotaBytes = bytesOfGib(quota);
    if (quotaBytes === undefined) return setError(t('quotaGiB'));
    void patch({ quotaBytes });
  };
  const resetPassword = (e: Event) => {
    e.preventDefault();
    void patch({ password, mustChangePassword: true }).then(() => setPassword(''));
  };
  const resetTwoFactor = async () => {
    try {
      await call(ops.resetUserTwoFactor, { params: { id: u.id } });
      toast(t('twoFactorRemoved'));
    } catch (err) {
      setError(why(err));
    }
  };
  return (
    <Dialog title={t('manageTitle', { name: u.username })} onClose={props.onClose} actions={<Button onClick={props.onClose}>{t('close')}</Button>}>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <QuotaUsage user={u} />
      <form class="inline-form dialog-section" onSubmit={saveQuota}>
        <TextField label={t('quotaGiB')} inputMode="decimal" value={quota} onInput={(e) => setQuota(e.currentTarget.value)} />
        <Button type="submit">{t('save')}</Button>
      </form>
      <div class="dialog-section">
        <SelectField id="manage-role" label={t('role')} value={u.role} onChange={(role) => void patch({ role })} options={[{ value: 'user', label: t('roleUser') }, { value: 'admin', label: t('roleAdmin') }]} />
        <p class="muted">{t('disableHint', { name: u.username })}</p>
        <div class="row-actions" style={{ justifyContent: 'flex-start' }}>
          <Button variant={u.disabled ? 'primary' : 'danger'} onClick={() => void patch({ disabled: !u.disabled })}>
            {u.disabled ? t('enable') : t('disable')}
          </Button>
          <Button onClick={() => void patch({ mustChangePassword: true })} disabled={u.mustChangePassword}>
            {t('forceChange')}
          </Button>
        </div>
      </div>
      <form class="dialog-section" onSubmit={resetPassword}>
        <h3>{t('resetPassword')}</h3>
        <TextField label={t('newPassword')} hint={t('resetHint', { name: u.username })} type="password" autocomplete="new-password" minLength={8} required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        <Button type="submit">{t('reset')}</Button>
      </form>
      <div class="dialog-section">
        <h3>{t('twoFactorReset')}</h3>
        <p class="muted">{t('twoFactorResetHint')}</p>
        <Button onClick={() => void resetTwoFactor()}>{t('twoFactorReset')}</Button>
      </div>
      <AccessSection userId={u.id} username={u.username} />
      {!props.self && (
        <div class="dialog-section">
          <Button variant="danger" onClick={props.onDelete}>
            {t('deleteUser')}
          </Button>
        </div>
      )}
    </Dialog>
  );
}
