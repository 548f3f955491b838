/**
 * Sharing one file or folder: add a person or a group as viewer or editor (optionally allowed to
 * share it on), see who has access, change a role, revoke; and its public links (LinksSection).
 */
import { useEffect, useState } from 'preact/hooks';
import { userOperations as ops, type FileView, type Share } from '@coffer/protocol';
import { call } from '../../api/client';
import { sharesTick } from '../../live/changes';
import { Button, Dialog, Icon, TextField } from '../../ui/index';
import { errorText } from './errors';
import { LinksSection } from './LinksSection';
import { t } from './messages';
import { closeShareDialog, shareTarget } from './share-state';

type Role = Share['role'];

function AccessRow(props: { share: Share; onChanged: () => void; onError: (e: string) => void }) {
  const s = props.share;
  const [busy, setBusy] = useState(false);
  async function run(f: () => Promise<unknown>) {
    setBusy(true);
    try {
      await f();
      props.onChanged();
    } catch (err) {
      props.onError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  const who = s.grantee.kind === 'group' ? t('groupNamed', { name: s.grantee.name }) : s.grantee.name;
  return (
    <li class="access-row">
      <Icon name={s.grantee.kind === 'group' ? 'people' : 'user'} />
      <span class="access-name">{who}</span>
      {s.role === 'editor' && (
        <label class="check access-reshare">
          <input type="checkbox" checked={s.allowReshare} disabled={busy} onChange={(e) => void run(() => call(ops.updateShare, { params: { id: s.id }, body: { allowReshare: e.currentTarget.checked } }))} />
          <span>{t('canReshare')}</span>
        </label>
      )}
      <label class="sr-only" for={`role-${s.id}`}>
        {t('roleOf', { who })}
      </label>
      <select id={`role-${s.id}`} value={s.role} disabled={busy} onChange={(e) => void run(() => call(ops.updateShare, { params: { id: s.id }, body: { role: e.currentTarget.value as Role } }))}>
        <option value="viewer">{t('viewer')}</option>
        <option value="editor">{t('editor')}</option>
      </select>
      <Button variant="ghost" icon class="btn-danger" aria-label={t('revokeFor', { who })} disabled={busy} onClick={() => void run(() => call(ops.revokeShare, { params: { id: s.id } }))}>
        <Icon name="close" />
      </Button>
    </li>
  );
}

function ShareDialogFor(props: { entry: FileView }) {
  const { entry } = props;
  const [kind, setKind] = useState<'user' | 'group'>('user');
  const [who, setWho] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [reshare, setReshare] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [shares, setShares] = useState<Share[]>();
  const [reload, setReload] = useState(0);

  useEffect(() => {
    let live = true;
    call(ops.listShares, { query: { direction: 'outgoing' } }).then(
      (l) => live && setShares(l.shares.filter((s) => s.fileId === entry.id)),
      (err: unknown) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [entry.id, reload, sharesTick.value]);

  async function add(e: Event) {
    e.preventDefault();
    const name = who.trim();
    if (!name) return;
    setBusy(true);
    setError(undefined);
    try {
      await call(ops.createShare, { body: { id: entry.id, ...(kind === 'user' ? { user: name } : { group: name }), role, allowReshare: role === 'editor' && reshare } });
      setWho('');
      setReload((n) => n + 1);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      title={t('shareTitle', { name: entry.name })}
      onClose={closeShareDialog}
      actions={
        <Button variant="primary" onClick={closeShareDialog}>
          {t('done')}
        </Button>
      }
    >
      <form class="share-form" onSubmit={(e) => void add(e)}>
        <fieldset class="share-kind">
          <legend>{t('shareWith')}</legend>
          <label>
            <input type="radio" name="share-kind" checked={kind === 'user'} onChange={() => setKind('user')} /> {t('person')}
          </label>
          <label>
            <input type="radio" name="share-kind" checked={kind === 'group'} onChange={() => setKind('group')} /> {t('group')}
          </label>
        </fieldset>
        <TextField label={kind === 'user' ? t('username') : t('groupName')} value={who} autoComplete="off" onInput={(e) => setWho(e.currentTarget.value)} required />
        <div class="share-row">
          <div class="field">
            <label for="share-role">{t('role')}</label>
            <select id="share-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
              <option value="viewer">{t('viewer')}</option>
              <option value="editor">{t('editor')}</option>
            </select>
          </div>
          <label class="check">
            <input type="checkbox" checked={reshare} disabled={role !== 'editor'} onChange={(e) => setReshare(e.currentTarget.checked)} /> {t('allowReshare')}
          </label>
        </div>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <Button type="submit" variant="primary" disabled={busy || !who.trim()}>
          <Icon name="share" />
          {t('share')}
        </Button>
      </form>
      <section class="share-section" aria-labelledby="access-title">
        <h3 id="access-title">{t('whoHasAccess')}</h3>
        {shares === undefined && !error && <p class="muted">{t('loading')}</p>}
        {shares && shares.length === 0 && <p class="muted">{t('onlyYou')}</p>}
        {shares && shares.length > 0 && (
          <ul class="access-list">
            {shares.map((s) => (
              <AccessRow key={s.id} share={s} onChanged={() => setReload((n) => n + 1)} onError={setError} />
            ))}
          </ul>
        )}
      </section>
      <LinksSection entry={entry} />
    </Dialog>
  );
}

/** Mounted once (App.tsx): the dialog for whatever `openShareDialog` was given. */
export function ShareHost() {
  const entry = shareTarget.value;
  return entry ? <ShareDialogFor key={entry.id} entry={entry} /> : null;
}
