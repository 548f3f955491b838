/**
 * Which file is being previewed. `openPreview(entry, siblings?)` is the one call the file list
 * makes; with the folder's entries it also offers previous/next among its files.
 */
import { signal } from '@preact/signals';
import type { FileView } from '@coffer/protocol';

export interface PreviewState {
  files: FileView[];
  index: number;
}

export const preview = signal<PreviewState | null>(null);
let opener: HTMLElement | null = null;

export function openPreview(entry: FileView, siblings?: FileView[]): void {
  const files = (siblings ?? [entry]).filter((f) => !f.isDir);
  let index = files.findIndex((f) => f.id === entry.id);
  if (index < 0) {
    files.unshift(entry);
    index = 0;
  }
  opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  preview.value = { files, index };
}

export function closePreview(): void {
  preview.value = null;
  // Back where the user was (the row they opened it from).
  opener?.focus();
  opener = null;
}

export function stepPreview(by: 1 | -1): void {
  const p = preview.value;
  if (!p) return;
  const index = p.index + by;
  if (index >= 0 && index < p.files.length) preview.value = { ...p, index };
}
