/** The trash: what was deleted (newest first), each restorable or deletable for good; empty it all. */
import { useEffect, useState } from 'preact/hooks';
import type { FileView } from '@coffer/protocol';
import { formatBytes, formatDate } from '../../i18n/i18n';
import { Button, Icon } from '../../ui/index';
import { emptyTrash, purge, restore } from './actions';
import { ConfirmDialog } from './ConfirmDialog';
import { listTrash, parentOf } from './listing';
import { t } from './messages';
import { SearchBox } from './SearchBox';
import { filesChanged } from './state';

export function TrashScreen() {
  const changed = filesChanged.value;
  const [entries, setEntries] = useState<FileView[]>();
  const [error, setError] = useState<string>();
  const [ask, setAsk] = useState<{ f?: FileView }>();
  useEffect(() => {
    let live = true;
    listTrash().then(
      (e) => live && setEntries(e),
      (err: unknown) => live && setError(t('failed', { msg: err instanceof Error ? err.message : String(err) })),
    );
    return () => {
      live = false;
    };
  }, [changed]);
  return (
    <section class="files-screen trash-screen" aria-labelledby="trash-title">
      <SearchBox />
      <div class="screen-head">
        <h1 id="trash-title">{t('trashTitle')}</h1>
        {entries && entries.length > 0 && (
          <Button variant="danger" onClick={() => setAsk({})}>
            <Icon name="trash" />
            {t('emptyTrash')}
          </Button>
        )}
      </div>
      {error && <p class="form-error">{error}</p>}
      {!entries && !error && (
        <p class="muted" role="status">
          {t('loading')}
        </p>
      )}
      {entries?.length === 0 && <p class="empty">{t('trashEmpty')}</p>}
      {entries && entries.length > 0 && (
        <ul class="plain-list" aria-label={t('trashTitle')}>
          {entries.map((f) => (
            <li key={f.id} class="plain-row">
              <Icon name={f.isDir ? 'folder' : 'file'} />
              <span class="entry-text">
                <span class="entry-title">{f.name}</span>
                <span class="entry-sub muted">
                  {parentOf(f.path) === '/' ? t('root') : parentOf(f.path)} · {f.isDir ? t('folder') : formatBytes(f.size)} · {t('trashedAt')} {f.trashedAt ? formatDate(f.trashedAt) : ''}
                </span>
              </span>
              <Button variant="ghost" aria-label={t('restoreOf', { name: f.name })} onClick={() => void restore([f])}>
                <Icon name="history" />
                <span class="hide-narrow">{t('restore')}</span>
              </Button>
              <Button variant="ghost" icon class="btn-danger" aria-label={t('purgeOf', { name: f.name })} onClick={() => setAsk({ f })}>
                <Icon name="close" />
              </Button>
            </li>
          ))}
        </ul>
      )}
      {ask && (
        <ConfirmDialog
          title={ask.f ? t('purge') : t('emptyTrash')}
          text={ask.f ? t('purgeQ', { name: ask.f.name }) : t('emptyTrashQ')}
          confirm={ask.f ? t('purge') : t('emptyTrash')}
          onConfirm={() => void (ask.f ? purge(ask.f) : emptyTrash())}
          onClose={() => setAsk(undefined)}
        />
      )}
    </section>
  );
}
