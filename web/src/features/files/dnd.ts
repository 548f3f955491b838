/**
 * Dragging entries onto a folder (a folder row, a breadcrumb) moves them. The entries dragged are
 * kept here while the drag lasts (a dragover cannot read the drag's data); the drag data carries
 * their ids too, under our own type, so drops of files from the desktop (uploads) stay apart.
 */
import type { FileView } from '@coffer/protocol';

export const DRAG_TYPE = 'application/x-coffer-entries';
let dragging: readonly FileView[] = [];

export function startDrag(e: DragEvent, entries: readonly FileView[]): void {
  dragging = entries;
  e.dataTransfer?.setData(DRAG_TYPE, JSON.stringify(entries.map((f) => f.id)));
  e.dataTransfer?.setData('text/plain', entries.map((f) => f.name).join('\n'));
  if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
}

export function endDrag(): void {
  dragging = [];
}

function ours(e: DragEvent): boolean {
  return dragging.length > 0 && (e.dataTransfer?.types.includes(DRAG_TYPE) ?? false);
}

/** Handlers making an element a drop target for `folder` (a path). */
export function dropTarget(folder: string, onDrop: (entries: readonly FileView[], folder: string) => void) {
  const accepts = (e: DragEvent) => ours(e) && !dragging.some((f) => f.path === folder);
  return {
    onDragOver: (e: DragEvent) => {
      if (!accepts(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'move';
      (e.currentTarget as HTMLElement).classList.add('drop-over');
    },
    onDragLeave: (e: DragEvent) => (e.currentTarget as HTMLElement).classList.remove('drop-over'),
    onDrop: (e: DragEvent) => {
      (e.currentTarget as HTMLElement).classList.remove('drop-over');
      if (!accepts(e)) return;
      e.preventDefault();
      const entries = dragging;
      endDrag();
      onDrop(entries, folder);
    },
  };
}
