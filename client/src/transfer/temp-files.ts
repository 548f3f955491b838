/**
 * Temporary files of downloads in progress, so an interrupted command (Ctrl-C) can remove them
 * instead of leaving hidden `.name.coffer-….part` files behind. The process's own business:
 * a long-running agent calls removeTempFilesSync from its own signal handling.
 */
import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

const live = new Set<string>();

/** A fresh temp path beside `target` (same filesystem, so the final rename is atomic), tracked until released. */
export function tempPathFor(target: string): string {
  const path = join(dirname(target), `.${basename(target)}.coffer-${randomBytes(4).toString('hex')}.part`);
  live.add(path);
  return path;
}

export function releaseTempPath(path: string): void {
  live.delete(path);
}

export function removeTempFilesSync(): void {
  for (const p of live) rmSync(p, { force: true });
  live.clear();
}
