import { randomBytes } from 'node:crypto';
import { dirname, normalize } from 'node:path';
import { Worker } from 'node:worker_threads';
import { arenaSpan, blockArena } from '../memory/block-memory.js';
import { native, WRITE_DIRECT } from '../native.js';

/**
 * How FsNode writes: with the C addon, each write is one job on libuv's thread pool
 * (durable_write.c). Without it, on threads of this module's own (see fs-write-worker.mjs):
 * shared by every FsNode in the process, started on first use, never keeping the process alive
 * when idle, ~13 MiB of memory each and a message round trip per write.
 *
 * Bytes reach a thread through the block arena, which the threads see from their start: shard
 * objects the sealer made there are written in place, anything else is first copied into a free
 * piece of it (a copy of warm memory), and only an offset is posted. When the arena is full the
 * bytes travel as a moved copy instead: a fresh allocation and a transfer, but never a wait.
 */
interface Slot {
  worker: Worker;
  busy: number;
}

interface Pending {
  resolve: () => void;
  reject: (e: Error) => void;
  /** An arena piece this module took for the write, given back when it is done. */
  piece?: Buffer;
}

const THREADS = 2;
const slots: Slot[] = [];
const pending = new Map<number, Pending>();
let nextId = 1;

function start(): void {
  const url = new URL('./fs-write-worker.mjs', import.meta.url);
  for (let i = 0; i < THREADS; i++) {
    const slot: Slot = { worker: new Worker(url, { workerData: { arena: blockArena().buffer }, resourceLimits: { maxYoungGenerationSizeMb: 2 }, execArgv: [] /* plain JS: no loader */ }), busy: 0 };
    slot.worker.on('message', (m: { id: number; code?: string; message?: string }) => {
      if (--slot.busy === 0) slot.worker.unref();
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (!p) return;
      if (p.piece) blockArena().give(p.piece);
      if (m.code) p.reject(Object.assign(new Error(m.message ?? m.code), { code: m.code }));
      else p.resolve();
    });
    slot.worker.on('error', (err) => {
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(err);
      }
      slots.splice(slots.indexOf(slot), 1);
    });
    // After the listeners: adding a 'message' listener refs the worker's port again.
    slot.worker.unref();
    slots.push(slot);
  }
}

/**
 * Write `parts` one after the other to `path`, atomically and durably (temp file, fdatasync,
 * rename, directory fsync). Rejects with an Error carrying the errno `code` (or 'ENOROOT' when
 * `root` is missing). The parts are only read until the returned promise settles. `direct`: around
 * the page cache (native.ts WRITE_DIRECT), with the addon only; the threads' path ignores it.
 */
export function durableWrite(root: string, path: string, parts: readonly Uint8Array[], tempMark: string, direct = false): Promise<void> {
  if (native) return nativeWrite(root, path, parts, tempMark, direct);
  if (slots.length === 0) start();
  const slot = slots.reduce((a, b) => (b.busy < a.busy ? b : a));
  if (slot.busy++ === 0) slot.worker.ref();
  const id = nextId++;
  return new Promise<void>((resolve, reject) => {
    let spans = spansOf(parts);
    let piece: Buffer | undefined;
    const total = parts.reduce((n, p) => n + p.byteLength, 0);
    if (!spans) {
      piece = blockArena().take(total);
      if (piece) {
        copyParts(parts, piece);
        spans = [[piece.byteOffset, total]];
      }
    }
    pending.set(id, { resolve, reject, piece });
    if (spans) {
      slot.worker.postMessage({ id, root, path, spans, tempMark });
    } else {
      const copy = new Uint8Array(total);
      copyParts(parts, copy);
      slot.worker.postMessage({ id, root, path, data: copy, tempMark }, [copy.buffer]);
    }
  });
}

/** [offset, length] in the arena of every part, when all lie in it. */
function spansOf(parts: readonly Uint8Array[]): [number, number][] | undefined {
  const spans: [number, number][] = [];
  for (const p of parts) {
    const s = arenaSpan(p);
    if (!s) return undefined;
    spans.push([s.offset, s.length]);
  }
  return spans;
}

function copyParts(parts: readonly Uint8Array[], into: Uint8Array): void {
  let at = 0;
  for (const p of parts) {
    into.set(p, at);
    at += p.byteLength;
  }
}

function nativeWrite(root: string, path: string, parts: readonly Uint8Array[], tempMark: string, direct: boolean): Promise<void> {
  const tmp = `${path}${tempMark}${randomBytes(6).toString('hex')}`;
  // `path` is join(root, key), normalised: so is the root it must start with.
  return native!.durableWrite(tmp, path, dirname(path), normalize(root).replace(/(.)\/+$/, '$1'), [...parts], direct ? WRITE_DIRECT : 0);
}
