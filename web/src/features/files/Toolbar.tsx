/**
 * Above the list: the screen's actions (new folder; uploads add theirs in the same area), the
 * selection's actions while something is selected, and the view controls (list/grid, sort, help).
 */
import type { ComponentChildren } from 'preact';
import { LIST_SORTS, type ListSort } from '@coffer/protocol';
import { Button, Icon } from '../../ui/index';
import { t } from './messages';
import { savePrefs, sortSpec, viewMode } from './state';

const SORT_LABEL: Record<ListSort, () => string> = { name: () => t('sortName'), modified: () => t('sortModified'), size: () => t('sortSize') };

export function ViewControls(p: { onHelp: () => void; sortable?: boolean }) {
  const s = sortSpec.value;
  return (
    <div class="view-controls">
      {p.sortable !== false && (
        <>
      <label class="sr-only" for="files-sort">
        {t('sortBy')}
      </label>
      <select
        id="files-sort"
        class="input sort-select"
        value={`${s.by}:${s.order}`}
        onChange={(e) => {
          const [by, order] = (e.target as HTMLSelectElement).value.split(':') as [ListSort, 'asc' | 'desc'];
          sortSpec.value = { by, order };
          savePrefs();
        }}
      >
        {LIST_SORTS.flatMap((by) =>
          (['asc', 'desc'] as const).map((order) => (
            <option key={`${by}:${order}`} value={`${by}:${order}`}>
              {SORT_LABEL[by]()} {order === 'asc' ? '↑' : '↓'}
            </option>
          )),
        )}
      </select>
        </>
      )}
      <Button
        variant="ghost"
        icon
        aria-label={viewMode.value === 'list' ? t('viewGrid') : t('viewList')}
        onClick={() => {
          viewMode.value = viewMode.value === 'list' ? 'grid' : 'list';
          savePrefs();
        }}
      >
        <Icon name={viewMode.value === 'list' ? 'grid' : 'list'} />
      </Button>
      <Button variant="ghost" icon class="help-btn" aria-label={t('helpOpen')} aria-keyshortcuts="?" onClick={p.onHelp}>
        <span aria-hidden="true" class="help-q">
          ?
        </span>
      </Button>
    </div>
  );
}

export function SelectionBar(p: { count: number; onMove?: () => void; onDelete: () => void; onClear: () => void }) {
  return (
    <div class="selection-bar" role="region" aria-label={t('selected', { n: p.count })}>
      <Button variant="ghost" icon aria-label={t('clearSelection')} onClick={p.onClear}>
        <Icon name="close" />
      </Button>
      <span class="sel-count" aria-live="polite">
        {t('selected', { n: p.count })}
      </span>
      {p.onMove && (
        <Button variant="ghost" aria-label={t('moveTo')} onClick={p.onMove}>
          <Icon name="move" />
          <span class="hide-narrow">{t('moveTo')}</span>
        </Button>
      )}
      <Button variant="ghost" class="btn-danger" aria-label={t('delete')} onClick={p.onDelete}>
        <Icon name="trash" />
        <span class="hide-narrow">{t('delete')}</span>
      </Button>
    </div>
  );
}

export function Toolbar(p: { actions?: ComponentChildren; selection?: ComponentChildren; onHelp: () => void; sortable?: boolean }) {
  return (
    <div class="files-toolbar">
      {p.selection ?? <div class="files-actions">{p.actions}</div>}
      <ViewControls onHelp={p.onHelp} sortable={p.sortable} />
    </div>
  );
}
