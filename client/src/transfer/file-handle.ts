/**
 * Open files as transfers need them, whatever file system they live on: the real one (node
 * paths, `nodeReadable`) or the sync agent's LocalFs (which the simulation replaces).
 */
import { open } from 'node:fs/promises';

export interface FileStat {
  kind: 'file' | 'dir' | 'other';
  ino: number;
  size: number;
  /** Whole milliseconds (rounded). */
  mtimeMs: number;
}

export interface ReadHandle {
  /** Like FileHandle.read: bytes read into `buf` at `offset`, from `position`; 0 at the end. */
  read(buf: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  stat(): Promise<FileStat>;
  close(): Promise<void>;
}

export interface WriteHandle {
  write(bytes: Uint8Array): Promise<void>;
  /** Flush to stable storage (fsync). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** Something that can be opened for reading, as many times as a transfer needs. */
export interface ReadableFile {
  open(): Promise<ReadHandle>;
}

export function toFileStat(st: { isFile(): boolean; isDirectory(): boolean; ino: number; size: number; mtimeMs: number }): FileStat {
  const kind = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  return { kind, ino: st.ino, size: kind === 'file' ? st.size : 0, mtimeMs: Math.round(st.mtimeMs) };
}

export async function openNodeFile(path: string): Promise<ReadHandle> {
  const fh = await open(path, 'r');
  return {
    read: async (buf, offset, length, position) => (await fh.read(buf, offset, length, position)).bytesRead,
    stat: async () => toFileStat(await fh.stat()),
    close: () => fh.close(),
  };
}

/** A file on the real file system by path. */
export function nodeReadable(path: string): ReadableFile {
  return { open: () => openNodeFile(path) };
}
