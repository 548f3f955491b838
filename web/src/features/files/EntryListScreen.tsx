/**
 * A screen listing entries from anywhere in the drive (search results, recent, starred): the same
 * browser as a folder, with each entry's folder shown, and the same actions.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { FileView } from '@coffer/protocol';
import type { ComponentChildren } from 'preact';
import { useEntryActions } from './EntryActions';
import { FileBrowser } from './FileBrowser';
import { usePageKeys } from './keys';
import { t } from './messages';
import { openEntry } from './open';
import { SearchBox } from './SearchBox';
import { sortEntries } from './sort';
import { rowExtras } from './RowExtras';
import { filesChanged, savePrefs, sortSpec, viewMode } from './state';
import { Toolbar } from './Toolbar';

export function EntryListScreen(p: { title: string; load: () => Promise<FileView[]>; deps: unknown[]; empty: string; sorted?: boolean; intro?: ComponentChildren }) {
  const changed = filesChanged.value;
  const [entries, setEntries] = useState<FileView[]>();
  const [error, setError] = useState<string>();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const act = useEntryActions(() => setSelected(new Set()));
  usePageKeys(() => act.setOpen({ kind: 'help' }));
  useEffect(() => {
    let live = true;
    setError(undefined);
    p.load().then(
      (e) => live && setEntries(e),
      (err: unknown) => live && setError(t('failed', { msg: err instanceof Error ? err.message : String(err) })),
    );
    return () => {
      live = false;
    };
  }, [...p.deps, changed]);
  // Lists with an order of their own (recent, starred) keep it; search results sort like a folder.
  const shown = useMemo(() => (entries && p.sorted ? sortEntries(entries, sortSpec.value) : (entries ?? [])), [entries, sortSpec.value, p.sorted]);
  return (
    <section class="files-screen" aria-labelledby="list-title">
      <SearchBox />
      <h1 id="list-title" class="screen-title">
        {p.title}
      </h1>
      {p.intro}
      <Toolbar onHelp={() => act.setOpen({ kind: 'help' })} sortable={p.sorted ?? false} />
      {error && <p class="form-error">{error}</p>}
      {!entries && !error && (
        <p class="muted" role="status">
          {t('loading')}
        </p>
      )}
      {entries?.length === 0 && <p class="empty">{p.empty}</p>}
      {entries && entries.length > 0 && (
        <FileBrowser
          entries={shown}
          label={p.title}
          view={viewMode.value}
          showPath
          sort={p.sorted ? sortSpec.value : undefined}
          onSort={
            p.sorted
              ? (s) => {
                  sortSpec.value = s;
                  savePrefs();
                }
              : undefined
          }
          selected={selected}
          onSelect={setSelected}
          onOpen={openEntry}
          menuItems={act.menuItems}
          onKeyAction={act.onKeyAction}
          extras={rowExtras}
        />
      )}
      {act.dialog}
    </section>
  );
}
