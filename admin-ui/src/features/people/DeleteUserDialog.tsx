import { useEffect, useState } from 'preact/hooks';
import { operations as ops, type AdminUser, type UserDeletePreview } from '@coffer/protocol';
import { Button, Dialog, SelectField, TextField } from '@coffer/web/ui';
import { ApiError, call } from '@coffer/web/api';
import { formatCount, formatSize } from '../../app/format';
import { t } from './messages';

/** Deleting an account says what happens to its files, shares, links and sign-ins first (the server's preview), and wants the username typed.
 *  Its files are purged after the trash period, or given to another account first (issue 23). */
export function DeleteUserDialog(props: { user: AdminUser; others: AdminUser[]; onClose: () => void; onDeleted: () => void }) {
  const u = props.user;
  const [typed, setTyped] = useState('');
  const [recipient, setRecipient] = useState('');
  const [error, setError] = useState('');
  const [preview, setPreview] = useState<UserDeletePreview | undefined>();
  useEffect(() => {
    call(ops.adminUserDeletePreview, { params: { id: u.id } }).then(setPreview, (err: Error) => setError(err.message));
  }, [u.id]);
  const del = async () => {
    try {
      if (recipient) await call(ops.adminTransferUser, { params: { id: u.id }, body: { to: recipient } });
      else await call(ops.adminDeleteUser, { params: { id: u.id } });
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
          <Button variant="danger" disabled={typed !== u.username || !preview} onClick={() => void del()}>
            {t('delete')}
          </Button>
        </>
      }
    >
      {preview ? (
        <ul class="consequences" data-testid="delete-consequences">
          <li>{t('deleteFiles', { files: formatCount(preview.files), folders: formatCount(preview.folders), bytes: formatSize(preview.bytes) })}</li>
          <li>{t('deleteShares', { shares: formatCount(preview.sharesEnding), links: formatCount(preview.linksEnding) })}</li>
          <li>{t('deleteAccess', { devices: formatCount(preview.devices), tokens: formatCount(preview.tokens), name: u.username })}</li>
          <li>
            <strong>{t('deleteWhat4')}</strong>
          </li>
        </ul>
      ) : (
        !error && <div class="spinner" role="status" />
      )}
      <SelectField label={t('transferTo')} value={recipient} onChange={setRecipient} options={[{ value: '', label: t('transferNobody') }, ...props.others.map((o) => ({ value: o.id, label: o.username }))]} />
      <TextField label={t('deleteConfirm')} value={typed} onInput={(e) => setTyped(e.currentTarget.value)} autocomplete="off" />
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
    </Dialog>
  );
}
