/** "Move to…": a folder picker (for touch, and for anyone who would rather not drag). */
import { useEffect, useState } from 'preact/hooks';
import type { FileView } from '@coffer/protocol';
import { Button, Dialog, Icon } from '../../ui/index';
import { moveInto } from './actions';
import { listFolder, parentOf } from './listing';
import { t } from './messages';
import { sortEntries } from './sort';

export function MoveDialog(p: { entries: readonly FileView[]; start: string; onClose: () => void }) {
  const [at, setAt] = useState(p.start);
  const [folders, setFolders] = useState<FileView[]>();
  const moving = new Set(p.entries.map((f) => f.id));
  useEffect(() => {
    let live = true;
    setFolders(undefined);
    listFolder(at).then(
      (all) => live && setFolders(sortEntries(all.filter((f) => f.isDir && !moving.has(f.id)), { by: 'name', order: 'asc' })),
      () => live && setFolders([]),
    );
    return () => {
      live = false;
    };
  }, [at]);
  return (
    <Dialog
      title={t('moveTitle', { n: p.entries.length })}
      onClose={p.onClose}
      actions={
        <>
          <Button onClick={p.onClose}>{t('cancel')}</Button>
          <Button
            variant="primary"
            onClick={async () => {
              if (await moveInto(p.entries, at)) p.onClose();
            }}
          >
            {t('moveHere')}
          </Button>
        </>
      }
    >
      <div class="picker-head">
        <Button variant="ghost" icon aria-label={t('root')} disabled={at === '/'} onClick={() => setAt(parentOf(at))}>
          <Icon name="back" />
        </Button>
        <strong>{at === '/' ? t('root') : at}</strong>
      </div>
      <ul class="picker" aria-label={t('location')}>
        {folders === undefined && <li class="muted">{t('loading')}</li>}
        {folders?.map((f) => (
          <li key={f.id}>
            <button type="button" class="picker-item" onClick={() => setAt(f.path)}>
              <Icon name="folder" />
              {f.name}
            </button>
          </li>
        ))}
      </ul>
    </Dialog>
  );
}
