/**
 * A file being written whose data goes to the disk as it grows: every FLUSH_AHEAD_BYTES written,
 * an fdatasync starts in the background (on the thread pool, while the writes go on), so the
 * final fsync that makes the file durable has little left to write. A 100 MiB download ended
 * with ~60 ms of fsync, on the path to the file being there.
 *
 * A background flush that fails is reported by `sync`: on Linux a writeback error is reported to
 * an open file once, so a later fsync of the same file may succeed although the data is lost.
 */
import type { FileHandle } from 'node:fs/promises';
import type { WriteHandle } from './file-handle.js';

export const FLUSH_AHEAD_BYTES = 16 * 1024 * 1024;

export function flushingAhead(fh: FileHandle, every = FLUSH_AHEAD_BYTES): WriteHandle {
  let unflushed = 0;
  let flushing: Promise<void> | undefined;
  let failed: { err: unknown } | undefined;
  const settled = async () => {
    await flushing;
    if (failed) throw failed.err;
  };
  return {
    async write(bytes) {
      await fh.write(bytes);
      unflushed += bytes.byteLength;
      if (unflushed < every || flushing) return;
      unflushed = 0;
      flushing = fh
        .datasync()
        .catch((err: unknown) => void (failed ??= { err }))
        .finally(() => (flushing = undefined));
    },
    async sync() {
      await settled();
      await fh.sync();
    },
    async close() {
      await flushing; // the fd stays open until the flush under way is done
      await fh.close();
    },
  };
}
