import { useState } from 'preact/hooks';
import { operations as ops, type AdminUser } from '@coffer/protocol';
import { CheckField, FormDialog, SelectField, TextField } from '@coffer/web/ui';
import { call } from '@coffer/web/api';
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
  const submit = async () => {
    const quotaBytes = bytesOfGib(quota);
    if (quotaBytes === undefined) throw new Error(t('quotaGiB'));
    props.onCreated(await call(ops.adminCreateUser, { body: { username, password, role, quotaBytes, email: email.trim() || null, mustChangePassword: mustChange } }));
  };
  return (
    <FormDialog title={t('newUser')} submit={t('create')} cancel={t('cancel')} onSubmit={submit} onClose={props.onClose}>
      <TextField label={t('username')} value={username} onInput={(e) => setUsername(e.currentTarget.value)} required autocomplete="off" />
      <TextField label={t('password')} hint={t('passwordHint')} type="password" autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required minLength={8} />
      <TextField label={t('email')} type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      <SelectField id="new-user-role" label={t('role')} value={role} onChange={setRole} options={[{ value: 'user', label: t('roleUser') }, { value: 'admin', label: t('roleAdmin') }]} />
      <TextField label={t('quotaGiB')} hint={t('quotaHint')} inputMode="decimal" value={quota} onInput={(e) => setQuota(e.currentTarget.value)} required />
      <CheckField id="new-user-must-change" label={t('mustChange')} checked={mustChange} onChange={setMustChange} />
    </FormDialog>
  );
}
