/** Which entry the share dialog is open for: `openShareDialog(entry)` is the files screen's one call. */
import { signal } from '@preact/signals';
import type { FileView } from '@coffer/protocol';

export const shareTarget = signal<FileView | null>(null);

export function openShareDialog(entry: FileView): void {
  shareTarget.value = entry;
}

export function closeShareDialog(): void {
  shareTarget.value = null;
}
