/**
 * Whole files written so that a reader, or a crash, finds the old content or the new, never a
 * part: a fresh temp file beside the target (the same file system, so the rename is atomic;
 * tracked in temp-files.ts, so an interrupted command removes it), filled, fsynced, renamed over
 * the target, and the folder fsynced so the rename itself survives a power cut. Downloads, the
 * CLI's login file and the sync agent's state files all write this way.
 */
import { open, rename, rm, utimes, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { releaseTempPath, tempPathFor } from './temp-files.js';

export interface ReplaceOptions {
  /** The new file's mode (default 0666, narrowed by the umask). */
  mode?: number;
  /** Its modification time (default: now). */
  mtime?: Date;
}

/** Put what `fill` writes at `path`, replacing what is there only once all of it is on disk. */
export async function replaceFile(path: string, fill: (file: FileHandle) => Promise<void>, opts: ReplaceOptions = {}): Promise<void> {
  const temp = tempPathFor(path);
  try {
    const file = await open(temp, 'wx', opts.mode ?? 0o666);
    try {
      await fill(file);
      await file.sync();
    } finally {
      await file.close();
    }
    if (opts.mtime) await utimes(temp, new Date(), opts.mtime);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  } finally {
    releaseTempPath(temp);
  }
  await syncFolder(dirname(path));
}

/** `bytes` as the whole content of `path`, atomically (replaceFile). */
export function writeFileAtomic(path: string, bytes: Uint8Array | string, opts: ReplaceOptions = {}): Promise<void> {
  return replaceFile(path, (file) => file.writeFile(bytes), opts);
}

async function syncFolder(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } catch {
    // Some file systems refuse to fsync a folder; the rename is as durable as they allow.
  } finally {
    await d.close();
  }
}
