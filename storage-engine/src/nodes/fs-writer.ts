import { Worker } from 'node:worker_threads';

/**
 * The threads FsNode writes through (see fs-write-worker.mjs): shared by every FsNode in the
 * process, started on first use, and never keeping the process alive when idle.
 */
interface Slot {
  worker: Worker;
  busy: number;
}

const THREADS = 2;
const slots: Slot[] = [];
const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
let nextId = 1;

function start(): void {
  const url = new URL('./fs-write-worker.mjs', import.meta.url);
  for (let i = 0; i < THREADS; i++) {
    const slot: Slot = { worker: new Worker(url), busy: 0 };
    slot.worker.unref();
    slot.worker.on('message', (m: { id: number; code?: string; message?: string }) => {
      if (--slot.busy === 0) slot.worker.unref();
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (!p) return;
      if (m.code) p.reject(Object.assign(new Error(m.message ?? m.code), { code: m.code }));
      else p.resolve();
    });
    slot.worker.on('error', (err) => {
      for (const p of pending.values()) p.reject(err);
      pending.clear();
      slots.splice(slots.indexOf(slot), 1);
    });
    slots.push(slot);
  }
}

/**
 * Write `data` to `path` atomically and durably (temp file, fdatasync, rename, directory fsync).
 * Rejects with an Error carrying the errno `code` (or 'ENOROOT' when `root` is missing).
 */
export function durableWrite(root: string, path: string, data: Uint8Array, tempMark: string): Promise<void> {
  if (slots.length === 0) start();
  const slot = slots.reduce((a, b) => (b.busy < a.busy ? b : a));
  if (slot.busy++ === 0) slot.worker.ref();
  const id = nextId++;
  return new Promise<void>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    // The caller may still need its bytes (a retry on another node), so a copy is moved to the
    // writer, which moves it back when done: no thread keeps it alive waiting for a GC.
    const copy = new Uint8Array(data.byteLength);
    copy.set(data);
    slot.worker.postMessage({ id, root, path, data: copy, tempMark }, [copy.buffer]);
  });
}
