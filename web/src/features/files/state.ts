/**
 * Shared state of the files screens: a `filesChanged` counter others bump to reload the listing
 * on screen (uploads when they commit, the live change feed), and the view preferences (list or
 * grid, sort) kept in localStorage.
 */
import { signal } from '@preact/signals';
import type { ListOrder, ListSort } from '@coffer/protocol';

/** Bump to make the current files screen reload its listing. */
export const filesChanged = signal(0);

/** Reloads whatever files screen is open (current folder, trash, search results…). */
export function refresh(): void {
  filesChanged.value++;
}

export type ViewMode = 'list' | 'grid';
export interface SortSpec {
  by: ListSort;
  order: ListOrder;
}

const KEY = 'coffer.files.view';

function saved(): { view: ViewMode; sort: SortSpec } {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? '{}') as { view?: unknown; by?: unknown; order?: unknown };
    return {
      view: v.view === 'grid' ? 'grid' : 'list',
      sort: { by: v.by === 'modified' || v.by === 'size' ? v.by : 'name', order: v.order === 'desc' ? 'desc' : 'asc' },
    };
  } catch {
    return { view: 'list', sort: { by: 'name', order: 'asc' } };
  }
}

const initial = saved();
export const viewMode = signal<ViewMode>(initial.view);
export const sortSpec = signal<SortSpec>(initial.sort);

export function savePrefs(): void {
  try {
    localStorage.setItem(KEY, JSON.stringify({ view: viewMode.value, ...sortSpec.value }));
  } catch {
    // not kept; still applied
  }
}
