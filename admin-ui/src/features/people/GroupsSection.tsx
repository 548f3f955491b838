import { useState } from 'preact/hooks';
import { operations as ops, type Group } from '@coffer/protocol';
import { Button, Icon, TextField, toast } from '@coffer/web/ui';
import { call } from '@coffer/web/api';
import { Section } from '../../app/Page';
import { t } from './messages';

function GroupRow(props: { group: Group; onChanged: () => void }) {
  const g = props.group;
  const [username, setUsername] = useState('');
  const run = async (f: () => Promise<unknown>) => {
    try {
      await f();
      props.onChanged();
    } catch (err) {
      toast((err as Error).message);
    }
  };
  return (
    <li class="group">
      <div class="group-head">
        <strong>{g.name}</strong>
        <Button variant="ghost" icon aria-label={t('deleteGroup', { name: g.name })} onClick={() => void run(() => call(ops.adminDeleteGroup, { params: { id: g.id } }))}>
          <Icon name="trash" />
        </Button>
      </div>
      <ul class="chips" aria-label={t('members')}>
        {g.members.length === 0 && <li class="muted">{t('noMembers')}</li>}
        {g.members.map((m) => (
          <li key={m.id} class="chip">
            {m.username}
            <button type="button" class="chip-x" aria-label={t('removeMember', { name: m.username, group: g.name })} onClick={() => void run(() => call(ops.adminRemoveGroupMember, { params: { id: g.id, userId: m.id } }))}>
              <Icon name="close" size={16} />
            </button>
          </li>
        ))}
      </ul>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => call(ops.adminAddGroupMember, { params: { id: g.id }, body: { username } })).then(() => setUsername(''));
        }}
      >
        <TextField label={t('memberUsername')} value={username} onInput={(e) => setUsername(e.currentTarget.value)} required />
        <Button type="submit">{t('addMember')}</Button>
      </form>
    </li>
  );
}

/** Groups and their members: create, delete, add and remove members. */
export function GroupsSection(props: { groups: Group[]; onChanged: () => void }) {
  const [name, setName] = useState('');
  return (
    <Section title={t('groups')} id="groups">
      {props.groups.length === 0 && <p class="muted">{t('noGroups')}</p>}
      <ul class="groups">
        {props.groups.map((g) => (
          <GroupRow key={g.id} group={g} onChanged={props.onChanged} />
        ))}
      </ul>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void call(ops.adminCreateGroup, { body: { name } }).then(
            () => {
              setName('');
              props.onChanged();
            },
            (err: Error) => toast(err.message),
          );
        }}
      >
        <TextField label={t('groupName')} value={name} onInput={(e) => setName(e.currentTarget.value)} required />
        <Button type="submit">{t('newGroup')}</Button>
      </form>
    </Section>
  );
}
