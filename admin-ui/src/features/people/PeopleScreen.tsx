import { useState } from 'preact/hooks';
import { operations as ops, type AdminUser, type Group } from '@coffer/protocol';
import { Button, Icon, toast } from '@coffer/web/ui';
import { call } from '@coffer/web/api';
import { t as tApp } from '../../app/messages';
import { Page, Section } from '../../app/Page';
import { usePoll } from '../../app/poll';
import { me } from '../../app/session';
import { DeleteUserDialog } from './DeleteUserDialog';
import { GroupsSection } from './GroupsSection';
import { ManageUserDialog } from './ManageUserDialog';
import { t } from './messages';
import { NewUserDialog } from './NewUserDialog';
import { QuotaUsage } from './QuotaUsage';

type Open = { kind: 'new' } | { kind: 'manage'; id: string } | { kind: 'delete'; id: string } | null;

function UserRow(props: { user: AdminUser; onManage: () => void }) {
  const u = props.user;
  const self = u.id === me.value?.id;
  return (
    <tr>
      <td class="cell-main">
        {u.username}
        {self && <span class="muted"> ({t('you')})</span>}
        {u.email && <div class="muted mono">{u.email}</div>}
      </td>
      <td data-label={t('role')}>{u.role === 'admin' ? <span class="badge badge-info">{t('roleAdmin')}</span> : t('roleUser')}</td>
      <td data-label={t('state')}>
        {u.disabled ? <span class="badge badge-bad">{t('disabled')}</span> : <span class="badge badge-ok">{t('active')}</span>}
        {u.mustChangePassword && (
          <>
            {' '}
            <span class="badge badge-warn">{t('mustChangeBadge')}</span>
          </>
        )}
      </td>
      <td data-label={t('quota')} class="cell-wide">
        <QuotaUsage user={u} />
      </td>
      <td class="cell-actions">
        <div class="row-actions">
          <Button onClick={props.onManage} aria-label={t('manageTitle', { name: u.username })}>
            {t('manage')}
          </Button>
        </div>
      </td>
    </tr>
  );
}

export function PeopleScreen() {
  const [users, setUsers] = useState<AdminUser[] | undefined>();
  const [groups, setGroups] = useState<Group[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [open, setOpen] = useState<Open>(null);
  const refresh = usePoll(async () => {
    try {
      const [u, g] = await Promise.all([call(ops.adminListUsers), call(ops.adminListGroups)]);
      setUsers(u.users);
      setGroups(g.groups);
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  }, 10_000);
  const userOf = (id: string) => users?.find((u) => u.id === id);
  const managed = open?.kind === 'manage' || open?.kind === 'delete' ? userOf(open.id) : undefined;
  return (
    <Page
      title={tApp('people')}
      error={error}
      actions={
        <Button variant="primary" onClick={() => setOpen({ kind: 'new' })}>
          <Icon name="add" />
          {t('newUser')}
        </Button>
      }
    >
      <Section title={t('users')}>
        {users === undefined ? (
          <div class="spinner" role="status" aria-label={tApp('loading')} />
        ) : (
          <table class="table with-row-actions">
            <thead>
              <tr>
                <th scope="col">{t('username')}</th>
                <th scope="col">{t('role')}</th>
                <th scope="col">{t('state')}</th>
                <th scope="col">{t('quota')}</th>
                <th scope="col">
                  <span class="sr-only">{t('manage')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <UserRow key={u.id} user={u} onManage={() => setOpen({ kind: 'manage', id: u.id })} />
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <GroupsSection groups={groups} onChanged={() => void refresh()} />
      {open?.kind === 'new' && (
        <NewUserDialog
          onClose={() => setOpen(null)}
          onCreated={(u) => {
            setOpen(null);
            toast(t('created', { name: u.username }));
            void refresh();
          }}
        />
      )}
      {open?.kind === 'manage' && managed && (
        <ManageUserDialog user={managed} self={managed.id === me.value?.id} onClose={() => setOpen(null)} onChanged={() => void refresh()} onDelete={() => setOpen({ kind: 'delete', id: managed.id })} />
      )}
      {open?.kind === 'delete' && managed && (
        <DeleteUserDialog
          user={managed}
          others={(users ?? []).filter((u) => u.id !== managed.id)}
          onClose={() => setOpen({ kind: 'manage', id: managed.id })}
          onDeleted={() => {
            setOpen(null);
            toast(t('deleted', { name: managed.username }));
            void refresh();
          }}
        />
      )}
    </Page>
  );
}
