/** A folder of the drive: breadcrumbs, toolbar, the virtualised list or grid, and their dialogs. */
import { useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { FileView } from '@coffer/protocol';
import { drivePathOf, location } from '../../app/router';
import { Button, Icon } from '../../ui/index';
import { moveInto, newFolder, trash } from './actions';
import { Breadcrumbs } from './Breadcrumbs';
import { useEntryActions } from './EntryActions';
import { FileBrowser } from './FileBrowser';
import { usePageKeys } from './keys';
import { answeredFirstPage, keptFirstPage, listFolder } from './listing';
import { changeTick } from '../../live/changes';
import { openPreview } from '../preview/index';
import { DropZone, UploadButton, uploadsCommitted } from '../transfers/index';
import { t } from './messages';
import { openEntry } from './open';
import { PromptDialog } from './PromptDialog';
import { SearchBox } from './SearchBox';
import { sortEntries } from './sort';
import { rowExtras } from './RowExtras';
import { filesChanged, savePrefs, sortSpec, viewMode } from './state';
import { SelectionBar, Toolbar } from './Toolbar';

export function FilesScreen() {
  const path = drivePathOf(location.value.path);
  const changed = filesChanged.value;
  const [entries, setEntries] = useState<FileView[] | undefined>(() => answeredFirstPage(path));
  const [error, setError] = useState<string>();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  /** The folder whose whole listing is on screen. */
  const shownPath = useRef<string | undefined>(undefined);
  const clear = () => setSelected(new Set());
  const act = useEntryActions(clear);
  usePageKeys(() => act.setOpen({ kind: 'help' }));

  /** The folder this screen last cleared for: not cleared on mount, which may show rows already. */
  const clearedFor = useRef(path);
  // Layout effects, in this order: the folder is cleared, then asked for, at the render that
  // changed it. As after-paint effects, the first page already answered at page load would
  // wait a frame and a paint before its rows showed.
  useLayoutEffect(() => {
    if (clearedFor.current === path) return;
    clearedFor.current = path;
    setEntries(undefined);
    clear();
  }, [path]);
  useLayoutEffect(() => {
    let live = true;
    setError(undefined);
    // A big folder shows its first page at once on first load (a refresh replaces the list whole).
    const first = (soFar: FileView[]) => live && setEntries((e) => (e === undefined || shownPath.current !== path ? soFar : e));
    // A folder opened anew shows the copy last seen while the network answers (not on a refresh).
    if (shownPath.current !== path) void keptFirstPage(path).then((kept) => live && kept && setEntries((e) => e ?? kept));
    listFolder(path, first).then(
      (e) => {
        if (!live) return;
        shownPath.current = path;
        setEntries(e);
      },
      (err: unknown) => live && setError(t('loadFailed', { msg: err instanceof Error ? err.message : String(err) })),
    );
    return () => {
      live = false;
    };
  }, [path, changed, changeTick.value, uploadsCommitted.value]);

  const sorted = useMemo(() => (entries ? sortEntries(entries, sortSpec.value) : []), [entries, sortSpec.value]);
  const chosen = () => sorted.filter((f) => selected.has(f.id));
  const drop = (moving: readonly FileView[], folder: string) => {
    clear();
    void moveInto(moving, folder);
  };
  const name = path === '/' ? t('root') : path.slice(path.lastIndexOf('/') + 1);

  return (
    <section class="files-screen" aria-labelledby="files-title">
      <SearchBox />
      <h1 id="files-title" class="sr-only">
        {t('title')}
      </h1>
      <Breadcrumbs path={path} onDrop={drop} />
      <Toolbar
        onHelp={() => act.setOpen({ kind: 'help' })}
        selection={
          selected.size > 0 ? (
            <SelectionBar
              count={selected.size}
              onClear={clear}
              onMove={() => act.setOpen({ kind: 'move', entries: chosen() })}
              onDelete={() => {
                const c = chosen();
                clear();
                void trash(c);
              }}
            />
          ) : undefined
        }
        actions={
          <>
            <Button
              class="icon-on-phone"
              aria-label={t('newFolder')}
              onClick={() =>
                act.setOpen({
                  kind: 'other',
                  node: <PromptDialog title={t('newFolder')} label={t('folderName')} submit={t('create')} onSubmit={(n) => newFolder(path, n)} onClose={act.close} />,
                })
              }
            >
              <Icon name="newFolder" />
              <span class="hide-phone">{t('newFolder')}</span>
            </Button>
            <UploadButton path={path} />
          </>
        }
      />
      <DropZone path={path}>
      {error && <p class="form-error">{error}</p>}
      {!entries && !error && (
        <p class="muted" role="status">
          {t('loading')}
        </p>
      )}
      {entries && entries.length === 0 && <p class="empty">{t('empty')}</p>}
      {entries && entries.length > 0 && (
        <FileBrowser
          entries={sorted}
          label={t('listLabel', { name })}
          view={viewMode.value}
          sort={sortSpec.value}
          onSort={(s) => {
            sortSpec.value = s;
            savePrefs();
          }}
          selected={selected}
          onSelect={setSelected}
          onOpen={(f) => (f.isDir ? openEntry(f) : openPreview(f, sorted))}
          menuItems={act.menuItems}
          onKeyAction={act.onKeyAction}
          extras={rowExtras}
          onDropInto={drop}
        />
      )}
      </DropZone>
      {act.dialog}
    </section>
  );
}
