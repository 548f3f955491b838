/**
 * Open files as transfers need them, whatever file system they live on: the real one (node
 * paths, `nodeReadable`) or the sync agent's LocalFs (which the simulation replaces).
 */
import { closeSync, fstatSync, openSync, read, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';


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
  /** Done with `bytes` once resolved (the caller may free them): a handle that keeps them keeps a copy. */
  write(bytes: Uint8Array): Promise<void>;
  /** Flush to stable storage (fsync). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** Something that can be opened for reading, as many times as a transfer needs. */
export interface ReadableFile {
  open(): Promise<ReadHandle>;
}

/** How a file is opened for reading. */
export interface OpenOptions {
  /** Expected small (a batch's file, ≤ 1 MiB): the real file system may use synchronous calls. */
  small?: boolean;
}

/** Reads up to this length are synchronous calls on a small file's handle; longer ones go to the thread pool. */
export const SYNC_READ_BYTES = 1024 * 1024;

/** fs.read on the thread pool (its promisified form answers { bytesRead, buffer }). */
const readPooled = promisify(read);

export function toFileStat(st: { isFile(): boolean; isDirectory(): boolean; ino: number; size: number; mtimeMs: number }): FileStat {
  const kind = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  return { kind, ino: st.ino, size: kind === 'file' ? st.size : 0, mtimeMs: Math.round(st.mtimeMs) };
}

export async function openNodeFile(path: string, o: OpenOptions = {}): Promise<ReadHandle> {
  if (o.small) return openSmallNodeFile(path);
  const fh = await open(path, 'r');
  return {
    read: async (buf, offset, length, position) => (await fh.read(buf, offset, length, position)).bytesRead,
    stat: async () => toFileStat(await fh.stat()),
    close: () => fh.close(),
  };
}

/**
 * A small file read with synchronous calls: open, stat, read and close each cost ~10-20 µs of
 * CPU that way, and ~100-300 µs as a promise and a thread-pool round trip (measured here, 2 cores:
 * reading 3,000 files of ~3 KB), which was most of the agent's CPU for a tree of small files. The
 * event loop waits for each call; a read longer than SYNC_READ_BYTES (the file grew since it was
 * seen) goes to the thread pool instead, so a big file never holds the loop.
 */
async function openSmallNodeFile(path: string): Promise<ReadHandle> {
  const fd = openSync(path, 'r');
  let closed = false;
  return {
    read: async (buf, offset, length, position) =>
      length <= SYNC_READ_BYTES ? readSync(fd, buf, offset, length, position) : (await readPooled(fd, buf, offset, length, position)).bytesRead,
    stat: async () => toFileStat(fstatSync(fd)),
    close: async () => {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}

/** A file on the real file system by path. */
export function nodeReadable(path: string, o: OpenOptions = {}): ReadableFile {
  return { open: () => openNodeFile(path, o) };
}
