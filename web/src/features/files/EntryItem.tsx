/** One entry of the browser: a row of the list view or a tile of the grid view. */
import type { FileView } from '@coffer/protocol';
import type { ComponentChildren } from 'preact';
import { Link } from '../../app/Link';
import { filesHref } from '../../app/router';
import { formatBytes, formatDate } from '../../i18n/i18n';
import { Checkbox, Icon } from '../../ui/index';
import { parentOf } from './listing';
import { t } from './messages';

export interface ItemProps {
  f: FileView;
  index: number;
  selected: boolean;
  focused: boolean;
  showPath: boolean;
  /** Handlers and attributes of the item element (selection, drag, menu). */
  events: Record<string, unknown>;
  onCheck: (e: MouseEvent) => void;
  onMore: (e: MouseEvent) => void;
  onOpen: () => void;
  extras?: ComponentChildren;
}

function kindIcon(f: FileView) {
  if (f.isDir) return 'folder' as const;
  return /\.(png|jpe?g|gif|webp|avif|heic|svg)$/i.test(f.name) ? ('image' as const) : ('file' as const);
}

function NameLink(p: ItemProps) {
  const tab = p.focused ? 0 : -1;
  return p.f.isDir ? (
    <Link href={filesHref(p.f.path)} class="entry-name" tabIndex={tab} draggable={false}>
      {p.f.name}
    </Link>
  ) : (
    <button type="button" class="entry-name" tabIndex={tab} onClick={p.onOpen}>
      {p.f.name}
    </button>
  );
}

function summary(f: FileView): string {
  return f.isDir ? formatDate(f.modifiedAt) : `${formatBytes(f.size)} · ${formatDate(f.modifiedAt)}`;
}

function More(p: ItemProps) {
  return (
    <button type="button" class="btn btn-ghost btn-icon" tabIndex={p.focused ? 0 : -1} aria-label={t('more', { name: p.f.name })} aria-haspopup="menu" onClick={p.onMore}>
      <Icon name="more" />
    </button>
  );
}

export function ListRow(p: ItemProps & { top: number }) {
  const folder = parentOf(p.f.path);
  const folderName = folder === '/' ? t('root') : folder;
  return (
    <div role="row" class="fb-row" aria-rowindex={p.index + 2} aria-selected={p.selected} tabIndex={p.focused ? 0 : -1} data-index={p.index} style={{ transform: `translateY(${p.top}px)` }} {...p.events}>
      <div role="gridcell" class="c-check">
        <Checkbox label={t('selectItem', { name: p.f.name })} checked={p.selected} tabIndex={p.focused ? 0 : -1} onClick={p.onCheck} />
      </div>
      <div role="gridcell" class="c-name">
        <Icon name={kindIcon(p.f)} />
        <span class="entry-text">
          <NameLink {...p} />
          <span class="entry-sub muted">{p.showPath ? folderName : summary(p.f)}</span>
        </span>
      </div>
      <div role="gridcell" class="c-size muted">
        {p.f.isDir ? '—' : formatBytes(p.f.size)}
      </div>
      <div role="gridcell" class="c-mod muted">
        {formatDate(p.f.modifiedAt)}
      </div>
      {p.showPath && (
        <div role="gridcell" class="c-path muted">
          <Link href={filesHref(folder)} tabIndex={p.focused ? 0 : -1}>
            {folderName}
          </Link>
        </div>
      )}
      <div role="gridcell" class="c-more">
        {p.extras}
        <More {...p} />
      </div>
    </div>
  );
}

export function Tile(p: ItemProps) {
  return (
    <div role="gridcell" class="fb-tile" aria-selected={p.selected} tabIndex={p.focused ? 0 : -1} data-index={p.index} {...p.events}>
      <div class="tile-top">
        <Checkbox label={t('selectItem', { name: p.f.name })} checked={p.selected} tabIndex={p.focused ? 0 : -1} onClick={p.onCheck} />
        <span class="tile-actions">
          {p.extras}
          <More {...p} />
        </span>
      </div>
      <div class="tile-icon">
        <Icon name={kindIcon(p.f)} size={48} />
      </div>
      <NameLink {...p} />
      <span class="entry-sub muted">{p.showPath ? (parentOf(p.f.path) === '/' ? t('root') : parentOf(p.f.path)) : p.f.isDir ? t('folder') : formatBytes(p.f.size)}</span>
    </div>
  );
}
