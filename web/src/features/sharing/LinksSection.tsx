/**
 * Public links of one file or folder, inside the share dialog: make a view link (or, for a
 * folder, a file-drop link) with an optional password, expiry and download limit; copy it (its
 * URL is shown once: the server keeps only the token's hash); list and delete the entry's links.
 */
import { useEffect, useState } from 'preact/hooks';
import { userOperations as ops, type FileView, type Link } from '@coffer/protocol';
import { call } from '../../api/client';
import { formatDate } from '../../i18n/i18n';
import { Button, Icon, TextField, toast } from '../../ui/index';
import { t } from './messages';
import { errorText } from './errors';

function absolute(url: string): string {
  return new URL(url, window.location.origin).href;
}

async function copy(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    toast(t('copied'));
  } catch {
    toast(t('copyFailed'));
  }
}

function LinkRow(props: { link: Link; onDeleted: () => void; onError: (e: string) => void }) {
  const l = props.link;
  const facts = [
    l.kind === 'drop' ? t('dropLink') : t('viewLink'),
    l.hasPassword ? t('withPassword') : '',
    l.expiresAt ? t('expires', { date: formatDate(l.expiresAt) }) : '',
    l.maxDownloads !== null ? t('downloadsOf', { n: l.downloads, max: l.maxDownloads }) : l.kind === 'view' ? t('downloadsN', { n: l.downloads }) : '',
    l.disabled ? t('disabled') : '',
  ].filter(Boolean);
  return (
    <li class="access-row">
      <Icon name="link" />
      <span class="access-name">
        {facts.join(' · ')}
        <span class="muted"> · {formatDate(l.createdAt)}</span>
      </span>
      <Button
        variant="ghost"
        icon
        class="btn-danger"
        aria-label={t('deleteLink')}
        onClick={() =>
          void call(ops.deleteLink, { params: { id: l.id } }).then(props.onDeleted, (err: unknown) => props.onError(errorText(err)))
        }
      >
        <Icon name="trash" />
      </Button>
    </li>
  );
}

export function LinksSection(props: { entry: FileView }) {
  const { entry } = props;
  const [links, setLinks] = useState<Link[]>();
  const [reload, setReload] = useState(0);
  const [kind, setKind] = useState<'view' | 'drop'>('view');
  const [password, setPassword] = useState('');
  const [expiry, setExpiry] = useState('');
  const [limit, setLimit] = useState('');
  const [made, setMade] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    call(ops.listLinks).then(
      (l) => live && setLinks(l.links.filter((x) => x.fileId === entry.id)),
      (err: unknown) => live && setError(errorText(err)),
    );
    return () => {
      live = false;
    };
  }, [entry.id, reload]);

  async function create(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const max = limit.trim() ? Number(limit) : undefined;
      const link = await call(ops.createLink, {
        body: {
          fileId: entry.id,
          kind,
          ...(password ? { password } : {}),
          // The end of the chosen day, where the user is.
          ...(expiry ? { expiresAt: new Date(`${expiry}T23:59:59`).toISOString() } : {}),
          ...(max !== undefined && Number.isInteger(max) && max > 0 ? { maxDownloads: max } : {}),
        },
      });
      setMade(link.url ? absolute(link.url) : undefined);
      setPassword('');
      setReload((n) => n + 1);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="share-section" aria-labelledby="links-title">
      <h3 id="links-title">{t('publicLinks')}</h3>
      <form class="share-form" onSubmit={(e) => void create(e)}>
        {entry.isDir && (
          <fieldset class="share-kind">
            <legend>{t('linkKind')}</legend>
            <label>
              <input type="radio" name="link-kind" checked={kind === 'view'} onChange={() => setKind('view')} /> {t('viewLink')}
            </label>
            <label>
              <input type="radio" name="link-kind" checked={kind === 'drop'} onChange={() => setKind('drop')} /> {t('dropLink')}
            </label>
          </fieldset>
        )}
        <TextField label={t('linkPassword')} hint={t('optional')} type="password" autoComplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        <div class="share-row">
          <TextField label={t('expiry')} hint={t('optional')} type="date" value={expiry} min={new Date().toISOString().slice(0, 10)} onInput={(e) => setExpiry(e.currentTarget.value)} />
          {kind === 'view' && <TextField label={t('downloadLimit')} hint={t('optional')} type="number" min={1} inputMode="numeric" value={limit} onInput={(e) => setLimit(e.currentTarget.value)} />}
        </div>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <Button type="submit" disabled={busy}>
          <Icon name="link" />
          {t('createLink')}
        </Button>
      </form>
      {made && (
        <div class="made-link">
          <TextField label={t('newLink')} hint={t('shownOnce')} value={made} readOnly onFocus={(e) => e.currentTarget.select()} />
          <Button variant="primary" onClick={() => void copy(made)}>
            {t('copyLink')}
          </Button>
        </div>
      )}
      {links && links.length > 0 && (
        <ul class="access-list" aria-label={t('existingLinks')}>
          {links.map((l) => (
            <LinkRow key={l.id} link={l} onDeleted={() => setReload((n) => n + 1)} onError={setError} />
          ))}
        </ul>
      )}
    </section>
  );
}
