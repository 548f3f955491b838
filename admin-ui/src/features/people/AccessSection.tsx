import { useEffect, useState } from 'preact/hooks';
import { operations as ops, type UserAccess } from '@coffer/protocol';
import { Button, toast } from '@coffer/web/ui';
import { call } from '@coffer/web/api';
import { formatAgo } from '../../app/format';
import { t } from './messages';

const KIND: Record<UserAccess['tokens'][number]['kind'], 'kindSession' | 'kindDevice' | 'kindAppPassword'> = { session: 'kindSession', device: 'kindDevice', app_password: 'kindAppPassword' };

/** An account's devices, open sessions and app passwords, each revocable; "sign out everywhere". */
export function AccessSection(props: { userId: string; username: string }) {
  const [access, setAccess] = useState<UserAccess | undefined>();
  const [error, setError] = useState('');
  const load = () =>
    call(ops.adminUserAccess, { params: { id: props.userId } }).then(
      (a) => setAccess(a),
      (err: Error) => setError(err.message),
    );
  useEffect(() => void load(), [props.userId]);
  const act = async (f: () => Promise<unknown>, done: string) => {
    try {
      await f();
      toast(done);
      await load();
    } catch (err) {
      toast((err as Error).message);
    }
  };
  const id = props.userId;
  return (
    <div class="dialog-section">
      <div class="section-head">
        <h3>{t('sessions')}</h3>
        <Button onClick={() => void act(() => call(ops.adminRevokeUserSessions, { params: { id } }), t('signedOutEverywhere', { name: props.username }))}>{t('signOutEverywhere')}</Button>
      </div>
      {error && <p class="error-text">{error}</p>}
      {access && access.devices.length === 0 && access.tokens.length === 0 && <p class="muted">{t('noAccess')}</p>}
      {access && access.devices.length > 0 && (
        <ul class="access-list" aria-label={t('devices')}>
          {access.devices.map((d) => (
            <li key={d.id}>
              <div>
                <strong>{d.name}</strong> <span class="badge">{t('kindDevice')}</span>
                <div class="muted">{t('lastSeen', { when: formatAgo(d.lastSeenAt) })}</div>
              </div>
              <Button variant="danger" aria-label={t('revokeNamed', { name: d.name })} onClick={() => void act(() => call(ops.adminRevokeUserDevice, { params: { id, deviceId: d.id } }), t('revoked'))}>
                {t('revoke')}
              </Button>
            </li>
          ))}
        </ul>
      )}
      {access && access.tokens.filter((tk) => tk.kind !== 'device').length > 0 && (
        <ul class="access-list" aria-label={t('sessionsAndPasswords')}>
          {access.tokens
            .filter((tk) => tk.kind !== 'device')
            .map((tk) => {
              const name = tk.label ?? t(KIND[tk.kind]);
              return (
                <li key={tk.id}>
                  <div>
                    <strong>{name}</strong> <span class="badge">{t(KIND[tk.kind])}</span>
                    <div class="muted">{tk.lastUsedAt ? t('lastUsed', { when: formatAgo(tk.lastUsedAt) }) : t('created2', { when: formatAgo(tk.createdAt) })}</div>
                  </div>
                  <Button variant="danger" aria-label={t('revokeNamed', { name })} onClick={() => void act(() => call(ops.adminRevokeUserToken, { params: { id, tokenId: tk.id } }), t('revoked'))}>
                    {t('revoke')}
                  </Button>
                </li>
              );
            })}
        </ul>
      )}
    </div>
  );
}
