/**
 * The virtualised list (or grid) of entries: only the rows in view (plus a few) are in the DOM,
 * at fixed heights, so 10,000 entries scroll like 10. It is an ARIA grid (aria-rowcount,
 * aria-rowindex, aria-selected) with one roving tab stop; arrows, Home/End, PageUp/PageDown,
 * Enter, Space, Delete, F2, Ctrl/Cmd+A and Escape work on it. Selection: click, Shift-click
 * range, Ctrl/Cmd-click toggle, checkboxes (touch). Rows drag onto folder rows to move.
 */
import type { FileView } from '@coffer/protocol';
import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { Checkbox, Menu, type MenuItem } from '../../ui/index';
import { dropTarget, endDrag, startDrag } from './dnd';
import { ListRow, Tile, type ItemProps } from './EntryItem';
import { t } from './messages';
import type { SortSpec, ViewMode } from './state';
import { useViewport } from './viewport';
import { MemoRow } from './MemoRow';
import { lang } from '../../i18n/i18n';

export const LIST_ROW = 56;
export const GRID_ROW = 188;
const TILE_MIN = 156;
const OVERSCAN = 4;

export type KeyAction = 'delete' | 'rename';

/** What a row's handlers read at the time they run (see `live` below). */
interface Live {
  p: BrowserProps;
  cur: number;
  onItemClick: (e: MouseEvent, i: number) => void;
  onCheck: (e: MouseEvent, i: number) => void;
  targetsOf: (i: number) => FileView[];
}

export interface BrowserProps {
  entries: FileView[];
  label: string;
  view: ViewMode;
  showPath?: boolean;
  sort?: SortSpec;
  onSort?: (s: SortSpec) => void;
  selected: ReadonlySet<string>;
  onSelect: (s: Set<string>) => void;
  onOpen: (f: FileView) => void;
  menuItems: (f: FileView, targets: FileView[]) => MenuItem[];
  onKeyAction: (a: KeyAction, targets: FileView[]) => void;
  onDropInto?: (entries: readonly FileView[], folder: string) => void;
  extras?: (f: FileView, focused: boolean) => ComponentChildren;
}

function SortHeader(p: { label: string; by: SortSpec['by']; sort?: SortSpec; onSort?: (s: SortSpec) => void; class: string }) {
  const on = p.sort?.by === p.by;
  const sortAttr = on ? (p.sort!.order === 'asc' ? 'ascending' : 'descending') : undefined;
  return (
    <div role="columnheader" class={p.class} aria-sort={sortAttr}>
      {p.onSort ? (
        <button type="button" class="sort-btn" onClick={() => p.onSort!({ by: p.by, order: on && p.sort!.order === 'asc' ? 'desc' : 'asc' })}>
          {p.label}
          {on && <span aria-hidden="true">{p.sort!.order === 'asc' ? ' ↑' : ' ↓'}</span>}
        </button>
      ) : (
        p.label
      )}
    </div>
  );
}

export function FileBrowser(p: BrowserProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const vp = useViewport(scroller);
  const [focus, setFocus] = useState(0);
  const [menu, setMenu] = useState<{ x: number; y: number; index: number }>();
  const anchor = useRef(0);
  const wantFocus = useRef(false);
  const listHadFocus = useRef(false);
  const live = useRef<Live | null>(null);
  const n = p.entries.length;
  const grid = p.view === 'grid';
  const cols = grid ? Math.max(2, Math.floor(vp.width / TILE_MIN)) : 1;
  const rowH = grid ? GRID_ROW : LIST_ROW;
  const rows = Math.ceil(n / cols);
  const cur = Math.min(focus, Math.max(0, n - 1));

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const active = document.activeElement as HTMLElement | null;
    const activeIndex = active && el.contains(active) ? active.getAttribute('data-index') : null;
    // Focus follows the keyboard, and stays on its entry when a recycled row node changes entry.
    const lost = listHadFocus.current && (active === document.body || (activeIndex !== null && activeIndex !== String(cur)));
    if (!wantFocus.current && !lost) return;
    wantFocus.current = false;
    el.querySelector<HTMLElement>(`[data-index="${cur}"]`)?.focus({ preventScroll: true });
  });

  const selectedEntries = () => p.entries.filter((f) => p.selected.has(f.id));
  const targetsOf = (i: number) => {
    const f = p.entries[i]!;
    return p.selected.has(f.id) ? selectedEntries() : [f];
  };
  const ids = (from: number, to: number) => p.entries.slice(Math.min(from, to), Math.max(from, to) + 1).map((f) => f.id);

  function ensureVisible(i: number) {
    const el = scroller.current;
    if (!el) return;
    const top = Math.floor(i / cols) * rowH;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + rowH > el.scrollTop + el.clientHeight) el.scrollTop = top + rowH - el.clientHeight;
  }

  function moveTo(i: number, e: KeyboardEvent) {
    const j = Math.max(0, Math.min(n - 1, i));
    if (e.shiftKey) p.onSelect(new Set(ids(anchor.current, j)));
    else if (!(e.ctrlKey || e.metaKey)) {
      anchor.current = j;
      p.onSelect(new Set([p.entries[j]!.id]));
    }
    setFocus(j);
    wantFocus.current = true;
    ensureVisible(j);
  }

  function onKeyDown(e: KeyboardEvent) {
    if (n === 0 || menu) return;
    const target = e.target as HTMLElement;
    if (target.closest('input[type=text], input[type=search], textarea')) return;
    const onItem = target.hasAttribute('data-index');
    const page = Math.max(1, Math.floor(vp.height / rowH)) * cols;
    const mod = e.ctrlKey || e.metaKey;
    switch (e.key) {
      case 'ArrowDown':
        moveTo(cur + cols, e);
        break;
      case 'ArrowUp':
        moveTo(cur - cols, e);
        break;
      case 'ArrowRight':
        if (!grid) return;
        moveTo(cur + 1, e);
        break;
      case 'ArrowLeft':
        if (!grid) return;
        moveTo(cur - 1, e);
        break;
      case 'Home':
        moveTo(0, e);
        break;
      case 'End':
        moveTo(n - 1, e);
        break;
      case 'PageDown':
        moveTo(cur + page, e);
        break;
      case 'PageUp':
        moveTo(cur - page, e);
        break;
      case 'Enter':
        if (!onItem) return;
        p.onOpen(p.entries[cur]!);
        break;
      case ' ': {
        if (!onItem) return;
        const next = new Set(p.selected);
        const id = p.entries[cur]!.id;
        if (next.has(id)) next.delete(id);
        else next.add(id);
        anchor.current = cur;
        p.onSelect(next);
        break;
      }
      case 'Delete':
        p.onKeyAction('delete', p.selected.size ? selectedEntries() : [p.entries[cur]!]);
        break;
      case 'F2':
        p.onKeyAction('rename', [p.entries[cur]!]);
        break;
      case 'Escape':
        if (!p.selected.size) return;
        p.onSelect(new Set());
        break;
      case 'a':
      case 'A':
        if (!mod) return;
        p.onSelect(new Set(p.entries.map((f) => f.id)));
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
  }

  function onItemClick(e: MouseEvent, i: number) {
    if ((e.target as HTMLElement).closest('a, button, input, label')) return;
    const id = p.entries[i]!.id;
    if (e.shiftKey) {
      const base = e.ctrlKey || e.metaKey ? [...p.selected] : [];
      p.onSelect(new Set([...base, ...ids(anchor.current, i)]));
    } else if (e.ctrlKey || e.metaKey) {
      const next = new Set(p.selected);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      anchor.current = i;
      p.onSelect(next);
    } else {
      anchor.current = i;
      p.onSelect(new Set([id]));
    }
    setFocus(i);
  }

  function onCheck(e: MouseEvent, i: number) {
    e.stopPropagation();
    const id = p.entries[i]!.id;
    if (e.shiftKey) p.onSelect(new Set([...p.selected, ...ids(anchor.current, i)]));
    else {
      const next = new Set(p.selected);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      p.onSelect(next);
    }
    anchor.current = i;
    setFocus(i);
  }

  // Rows skip re-rendering while their data is unchanged (MemoRow), so a row's handlers may be
  // from an earlier render: they reach this render's state through `live`, and carry only their
  // own index and entry (which MemoRow compares).
  live.current = { p, cur, onItemClick, onCheck, targetsOf };
  const L = () => live.current!;

  function itemProps(i: number): ItemProps {
    const f = p.entries[i]!;
    const drop = f.isDir && p.onDropInto ? dropTarget(f.path, (entries, folder) => L().p.onDropInto?.(entries, folder)) : {};
    return {
      f,
      index: i,
      selected: p.selected.has(f.id),
      focused: i === cur,
      showPath: p.showPath ?? false,
      extras: p.extras?.(f, i === cur),
      onOpen: () => L().p.onOpen(f),
      onCheck: (e) => L().onCheck(e, i),
      onMore: (e) => {
        e.stopPropagation();
        const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
        setFocus(i);
        setMenu({ x: r.right - 220, y: r.bottom, index: i });
      },
      events: {
        onClick: (e: MouseEvent) => L().onItemClick(e, i),
        onDblClick: (e: MouseEvent) => {
          if (!(e.target as HTMLElement).closest('a, button, input, label')) L().p.onOpen(f);
        },
        onContextMenu: (e: MouseEvent) => {
          e.preventDefault();
          if (!L().p.selected.has(f.id)) {
            anchor.current = i;
            L().p.onSelect(new Set([f.id]));
          }
          setFocus(i);
          setMenu({ x: e.clientX, y: e.clientY, index: i });
        },
        draggable: p.onDropInto ? true : undefined,
        onDragStart: p.onDropInto ? (e: DragEvent) => startDrag(e, L().targetsOf(i)) : undefined,
        onDragEnd: endDrag,
        onFocus: (e: FocusEvent) => {
          if (e.target === e.currentTarget && L().cur !== i) setFocus(i);
        },
        ...drop,
      },
    };
  }

  // The rows in view plus OVERSCAN either side: always `pool` rows, so a row scrolling in takes the
  // key (and the DOM nodes) of the one that scrolled out — updated, not rebuilt. The focused row is
  // rendered even out of view; when scrolling moves it between a slot and its own node, the layout
  // effect above puts focus back on it.
  const pool = Math.ceil(vp.height / rowH) + 2 * OVERSCAN + 2;
  const first = Math.max(0, Math.min(Math.floor(vp.top / rowH) - OVERSCAN, rows - pool));
  const last = Math.min(rows - 1, first + pool - 1);
  const shown: number[] = [];
  for (let r = first; r <= last; r++) shown.push(r);
  const focusRow = Math.floor(cur / cols);
  if (n > 0 && (focusRow < first || focusRow > last)) shown.push(focusRow);
  const rowKey = (r: number) => (r < first || r > last ? 'focus' : `s${r % pool}`);

  const allSelected = n > 0 && p.selected.size === n;
  const menuEntry = menu ? p.entries[menu.index] : undefined;
  return (
    <>
    <div
      class={`fb fb-${p.view}${p.showPath ? " fb-paths" : ""}`}
      role="grid"
      aria-label={p.label}
      aria-multiselectable="true"
      aria-rowcount={grid ? rows : n + 1}
      aria-colcount={grid ? cols : undefined}
      onKeyDown={onKeyDown}
      onFocusIn={() => (listHadFocus.current = true)}
      onFocusOut={(e) => {
        // A removed node's focusout has no relatedTarget: only a move elsewhere counts.
        const to = e.relatedTarget as Node | null;
        if (to && !(e.currentTarget as HTMLElement).contains(to)) listHadFocus.current = false;
      }}
    >
      {!grid && (
        <div role="rowgroup" class="fb-head">
          <div role="row" aria-rowindex={1} class="fb-row fb-headrow">
            <div role="columnheader" class="c-check">
              <Checkbox label={t('selectAll')} checked={allSelected} indeterminate={p.selected.size > 0 && !allSelected} onClick={() => p.onSelect(allSelected ? new Set() : new Set(p.entries.map((f) => f.id)))} />
            </div>
            <SortHeader class="c-name" label={t('name')} by="name" sort={p.sort} onSort={p.onSort} />
            <SortHeader class="c-size" label={t('size')} by="size" sort={p.sort} onSort={p.onSort} />
            <SortHeader class="c-mod" label={t('modified')} by="modified" sort={p.sort} onSort={p.onSort} />
            {p.showPath && (
              <div role="columnheader" class="c-path">
                {t('location')}
              </div>
            )}
            <div role="columnheader" class="c-more">
              <span class="sr-only">{t('actions')}</span>
            </div>
          </div>
        </div>
      )}
      <div class="fb-scroll" ref={scroller}>
        <div role="rowgroup" class="fb-body" style={{ height: `${rows * rowH}px` }}>
          {shown.map((r) =>
            grid ? (
              <div key={`r${r}`} role="row" class="fb-tilerow" aria-rowindex={r + 1} style={{ transform: `translateY(${r * rowH}px)`, gridTemplateColumns: `repeat(${cols}, minmax(0, 1fr))` }}>
                {Array.from({ length: Math.min(cols, n - r * cols) }, (_, k) => {
                  const ip = itemProps(r * cols + k);
                  return <Tile key={ip.f.id} {...ip} />;
                })}
              </div>
            ) : (
              <MemoRow key={rowKey(r)} top={r * rowH} dnd={!!p.onDropInto} extrasOf={p.extras} lang={lang.value} {...itemProps(r)} />
            ),
          )}
        </div>
      </div>
    </div>
      {menu && menuEntry && (
        <Menu label={t('more', { name: menuEntry.name })} x={menu.x} y={menu.y} items={p.menuItems(menuEntry, targetsOf(menu.index))} onClose={() => setMenu(undefined)} />
      )}
    </>
  );
}

