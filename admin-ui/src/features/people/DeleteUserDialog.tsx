import { useState } from 'preact/hooks';
import { operations as ops, type AdminUser } from '@coffer/protocol';
import { Button, Dialog, TextField } from '@coffer/web/ui';
import { ApiError, call } from '../../api/client';
import { formatSize } from '../../app/format';
import { t } from './messages';

/** Deleting an account says what happens to its files first, and wants the username typed. */
export function DeleteUserDialog(props: { user: AdminUser; onClose: () => void; onDeleted: () => void }) {
  const u = props.user;
  const [typed, setTyped] = useState('');
  const [error, setError] = useState('');
  const del = async () => {
    try {
      await call(ops.adminDeleteUser, { params: { id: u.id } });
      props.onDeleted();
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'cannot_delete_self' ? t('self') : err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <Dialog
      title={t('deleteTitle', { name: u.username })}
      onClose={props.onClose}
      actions={
        <>
          <Button onClick={props.onClose}>{t('cancel')}</Button>
          <Button variant="danger" disabled={typed !== u.username} onClick={() => void del()}>
            {t('delete')}
          </Button>
        </>
      }
    >
      <ul class="consequences">
        <li>{t('deleteWhat1', { name: u.username })}</li>
        <li>{t('deleteWhat2', { bytes: formatSize(u.usedBytes) })}</li>
        <li>{t('deleteWhat3')}</li>
        <li>
          <strong>{t('deleteWhat4')}</strong>
        </li>
      </ul>
      <TextField label={t('deleteConfirm')} value={typed} onInput={(e) => setTyped(e.currentTarget.value)} autocomplete="off" />
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}
