/** LocalFs on a VirtualDisk: every call is one step of the scheduler, owned by one agent run. */
import type { LocalFs, LocalStat } from '../../src/sync/local-fs.js';
import type { Scheduler } from './scheduler.js';
import type { VirtualDisk } from './virtual-disk.js';

export function simFs(disk: VirtualDisk, sched: Scheduler, owner: string, watchers: Set<(rel: string) => void>): LocalFs {
  const step = <T>(fn: () => T) => sched.step(owner, 'fs', fn);
  const stat = (rel: string): LocalStat | undefined => disk.stat(rel);
  return {
    readdir: (rel) => step(() => disk.readdir(rel)),
    lstat: (rel) => step(() => stat(rel)),
    mkdir: (rel) => step(() => disk.mkdir(rel)),
    rmdir: (rel) => step(() => disk.rmdir(rel)),
    unlink: (rel) => step(() => disk.unlink(rel)),
    rename: (from, to) => step(() => disk.rename(from, to)),
    renameNoReplace: (from, to) => step(() => disk.renameNoReplace(from, to)),
    utimes: (rel, mtimeMs) => step(() => disk.utimes(rel, mtimeMs)),
    async openRead(rel) {
      const h = await step(() => disk.openRead(rel));
      return {
        read: (buf, offset, length, position) =>
          step(() => {
            const bytes = h.node().bytes;
            const n = Math.max(0, Math.min(length, bytes.byteLength - position));
            buf.set(bytes.subarray(position, position + n), offset);
            return n;
          }),
        stat: () => step(() => ({ kind: 'file' as const, ino: h.ino, size: h.node().bytes.byteLength, mtimeMs: h.node().mtimeMs })),
        close: () => step(() => undefined),
      };
    },
    async createExclusive(rel) {
      const node = await step(() => disk.create(rel));
      return {
        write: (bytes) => step(() => disk.append(node, bytes.slice(), rel)),
        sync: () => step(() => undefined),
        close: () => step(() => undefined),
      };
    },
    readFile: (rel) => step(() => disk.readFile(rel)?.slice()),
    writeFileAtomic: (rel, bytes) =>
      step(() => {
        // Temp, fsync and rename happen as one step: a crash leaves the old file or the new one.
        const dir = rel.slice(0, rel.lastIndexOf('/'));
        if (dir) disk.mkdirs(dir);
        const temp = `${rel}.tmp`;
        if (disk.stat(temp)) disk.unlink(temp);
        disk.create(temp).bytes = bytes.slice();
        disk.rename(temp, rel);
      }),
    watch(onChange) {
      const w = (rel: string) => onChange(rel);
      watchers.add(w);
      return () => watchers.delete(w);
    },
  };
}
