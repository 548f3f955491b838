/**
 * What the change feed tells the screens. `changeTick` goes up when something changed in the
 * folder being shown (or when the feed cannot tell, e.g. after a reset); a screen that lists a
 * folder reads it in its effect's dependencies and lists again. `anyChangeTick` goes up on every
 * change (recent files, starred, search). `sharesTick` goes up when a share offered to me, or
 * one of mine, changed (the "Shared with me" screen). `changeEvents` carries the entries
 * themselves for screens that want to patch their list instead of reloading.
 */
import { signal } from '@preact/signals';
import type { ChangeEntry } from '@coffer/protocol';
import { drivePathOf, location } from '../app/router';

export const changeTick = signal(0);
export const anyChangeTick = signal(0);
export const sharesTick = signal(0);

/** Dispatches `CustomEvent<ChangeEntry[]>` named 'changes' for every batch the feed delivers. */
export const changeEvents = new EventTarget();

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** The drive folder on screen, or undefined when the screen is not a folder listing. */
function shownFolder(): string | undefined {
  const p = location.value.path;
  if (p === '/' || p === '/files' || p.startsWith('/files/')) return drivePathOf(p);
  return undefined;
}

/** Whether an entry touches `folder`: something in it, it itself, or a move out of it. */
export function touches(e: ChangeEntry, folder: string): boolean {
  const lower = folder.toLowerCase();
  for (const p of [e.path, e.from]) {
    if (p === undefined) continue;
    const l = p.toLowerCase();
    if (parentOf(l) === lower || l === lower) return true;
  }
  // No path recorded: the listing may be stale; say so.
  return e.path === undefined && e.from === undefined;
}

/** The feed delivered these entries (in seq order). */
export function noteChanges(entries: ChangeEntry[]): void {
  if (entries.length === 0) return;
  anyChangeTick.value++;
  const folder = shownFolder();
  if (folder !== undefined && entries.some((e) => touches(e, folder))) changeTick.value++;
  changeEvents.dispatchEvent(new CustomEvent('changes', { detail: entries }));
}

/** The feed lost track (a reset, a reconnect after a gap it cannot replay): everything may be stale. */
export function noteUnknownChanges(): void {
  anyChangeTick.value++;
  changeTick.value++;
  sharesTick.value++;
}
