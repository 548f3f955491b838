/**
 * Delta upload of one local file: chunk it, ask the server which blocks it lacks, send only
 * those, commit the block list. One read of the file (readAndSend): the blocks are asked about
 * and sent a group at a time while the rest is still being hashed, so memory stays a few groups
 * whatever the file size, and a big file's upload starts with its first group. Resumable by
 * construction: blocks are content-addressed, so a re-run after a crash or network loss sends
 * only the blocks the server still lacks.
 */
import { releaseMemory } from '@coffer/storage-engine/memory';
import { ApiError } from '../api/errors.js';
import type { BlockRef, CommitResult } from '@coffer/protocol';
import type { CommitRequest, SyncApi } from '../sync/sync-api.js';
import { contentHashOf, fileChunks, handleChunks } from './blocks.js';
import { nodeReadable, type FileStat, type ReadableFile } from './file-handle.js';
import { TransferStats, type Progress } from './stats.js';
import { BIG_FILE_LANES, BlockSender, PACK_PLAIN_BYTES, type BlockSendApi, type WireOptions } from './wire-send.js';
import { trace } from '../sync/trace.js';

const IN_FLIGHT = 3;
/** The first blocks are asked about once ~2 MiB are cut and go out in a pack of their own at
 *  once, so the upload starts after ~2 MiB of hashing, not a whole pack's. */
const FIRST_GROUP_BYTES = 2 * 1024 * 1024;
/** Later questions wait for this much (or the end of the file). A big file's questions go at once
 *  beside the pack on the wire (wire-send.ts inLane), so asking whenever anything was cut meant a
 *  question per block or two: 10-36 for a new 100 MiB file, each a request's headers, TLS, a
 *  lookup and a log line on the server. The blocks only join the pack that is filling, which
 *  leaves when full, so waiting for half a pack holds nothing up. At most AHEAD_BYTES (the read
 *  waits there, and the question must then be ready). */
const LATER_GROUP_BYTES = 8 * 1024 * 1024;
/** Bytes cut and waiting to be asked about at most (held: with the sender's pack filling and the
 *  one on the wire, ~56 MiB at most). A file of at most this much is asked about once, whole
 *  (oneAsk): a second question cost ~560 bytes on the wire and a round trip, which a 17 MiB
 *  .deb's upgrade paid for an upload started ~20 ms of hashing sooner. */
const AHEAD_BYTES = 24 * 1024 * 1024;
/** Block cache copies written at once while the file is read: each is a few calls on the thread
 *  pool, and one at a time they held the read of a big file up (~3 ms a 1 MiB block). */
const CACHE_WRITES = 4;
/** A file of at least this many full packs goes on two lanes (wire-send.ts BIG_FILE_LANES). */
const BIG_FILE_PACKS = 4;
/** A new file of at least this many full packs is announced as it uploads (WireOptions.announce):
 *  its upload takes long enough that another device fetching alongside it gains. */
const ANNOUNCED_PACKS = 2;

/** The file changed while it was being read or sent: nothing was committed; try again later. */
export class FileChangedError extends Error {
  constructor(what: string) {
    super(`${what} changed while it was being uploaded; try again`);
  }
}

export interface UploadOptions {
  /** The head revision this upload replaces; null creates a new file (409 when one exists). */
  baseRev: number | null;
  /** With baseRev: the entry that revision belongs to (see CommitRequest.fileId). */
  fileId?: string;
  /** 'copy': a stale baseRev (or an existing file) makes the server keep this as a conflicted copy. */
  onConflict?: 'fail' | 'copy';
  /** Defaults to the file's own mtime when it was read. */
  mtime?: number;
  /** Called with what is about to be committed, before the commit request is sent. */
  beforeCommit?: (contentHash: string, stat: FileStat) => Promise<void>;
  stats?: TransferStats;
  onProgress?: Progress;
  /** How blocks travel (issue 21): compressed by default; deltas with a cache and the replaced version's block list. */
  wire?: WireOptions;
}

export interface Uploaded {
  answer: CommitResult;
  /** The file as it was read (the bytes committed are exactly this file's then). */
  stat: FileStat;
  contentHash: string;
}

type UploadApi = Pick<SyncApi, 'missingBlocks' | 'commit'> & BlockSendApi;

export async function uploadFile(api: UploadApi, source: string | ReadableFile, remotePath: string, o: UploadOptions): Promise<Uploaded> {
  const file = typeof source === 'string' ? nodeReadable(source) : source;
  const name = typeof source === 'string' ? source : remotePath;
  const stats = o.stats ?? new TransferStats();
  const sender = new BlockSender(api, o.wire ?? {}, stats);
  trace('up-scan');
  const scan = await readAndSend(api, sender, file, stats, o.onProgress);
  if (scan.stat.kind !== 'file') throw new Error(`${name} is not a regular file`);
  if (!scan.stable) throw new FileChangedError(name);
  const { blocks, stat } = scan;
  await sender.rememberList(blocks);
  trace(`up-sent ${blocks.length}`);

  const commit: CommitRequest = {
    path: remotePath,
    size: stat.size,
    blocks,
    baseRev: o.baseRev,
    ...(o.fileId !== undefined && o.baseRev !== null ? { fileId: o.fileId } : {}),
    mtime: o.mtime ?? stat.mtimeMs,
    ...(o.onConflict ? { onConflict: o.onConflict } : {}),
  };
  const done = (answer: CommitResult): Uploaded => ({ answer, stat, contentHash: contentHashOf(blocks) });
  await o.beforeCommit?.(contentHashOf(blocks), stat);
  try {
    return done(await api.commit(commit));
  } catch (err) {
    // Blocks can vanish between asking and committing (GC of uncommitted blocks): send them, retry once.
    if (!(err instanceof ApiError && err.code === 'missing_blocks')) throw err;
    const again = new Set((err.details as { missing?: string[] } | undefined)?.missing ?? blocks.map((b) => b.hash));
    await sendBlocks(sender, file, name, blocks, again, stats, o.onProgress);
    return done(await api.commit(commit));
  }
}

/**
 * One read of the file: each block hashed and kept as a delta base as it is cut, and the blocks
 * asked about (missingBlocks) and sent while the read goes on — a big file's upload starts with
 * its first ~2 MiB, not after a whole pass of hashing, and the file is read once, not twice.
 * Requests go one after the other on one connection (the sender's lane): a question asked beside
 * a pack on the wire would open a second TLS connection, and each question asks about every
 * block cut since the last, so a file costs a question or two, not one per group. At most
 * AHEAD_BYTES wait to be asked about (memory). A file written to meanwhile is found by its stat
 * before and after (`stable`): what was sent is then simply never committed.
 */
async function readAndSend(api: UploadApi, sender: BlockSender, file: ReadableFile, stats: TransferStats, onProgress?: Progress): Promise<{ blocks: BlockRef[]; stat: FileStat; stable: boolean }> {
  const h = await file.open();
  try {
    const before = await h.stat();
    if (before.kind !== 'file') return { blocks: [], stat: before, stable: false };
    // Shown progress moves a pack at a time: about sixteen steps a file (within 1 MiB and a full pack).
    if (onProgress) sender.packBytes = Math.min(PACK_PLAIN_BYTES, Math.max(1024 * 1024, Math.ceil(before.size / 16)));
    if (before.size >= BIG_FILE_PACKS * PACK_PLAIN_BYTES) sender.lanes = BIG_FILE_LANES;
    sender.announceIfBig(before.size, ANNOUNCED_PACKS * PACK_PLAIN_BYTES);
    let done = 0;
    // Progress counts a block once it is on the server, or found there already.
    sender.onSent = onProgress && ((n) => onProgress('uploading', (done += n), before.size));
    const blocks: BlockRef[] = [];
    const asked = new Set<string>();
    let pending: Cut[] = [];
    let pendingBytes = 0;
    let readDone = false;
    let changed = false;
    let failed: { err: unknown } | undefined;
    // The pump waits for blocks (wake); the read waits for room (room).
    let wake: (() => void) | undefined;
    let room: (() => void) | undefined;
    const signal = (which: 'wake' | 'room') => {
      const f = which === 'wake' ? wake : room;
      if (which === 'wake') wake = undefined;
      else room = undefined;
      f?.();
    };
    const oneAsk = before.size <= AHEAD_BYTES;
    const pump = async () => {
      let first = true;
      for (;;) {
        // The first question waits for ~2 MiB (or the whole file), later ones for ~8 MiB (or the
        // rest); a file of at most AHEAD_BYTES is asked about once, when it is read.
        const ready = pending.length > 0 && (readDone || (!oneAsk && pendingBytes >= (first ? FIRST_GROUP_BYTES : LATER_GROUP_BYTES)));
        if (!ready) {
          if (readDone && pending.length === 0) return;
          await new Promise<void>((r) => (wake = r));
          continue;
        }
        // Written to meanwhile: nothing more is sent (what was is never committed).
        const now = await h.stat();
        if (now.size !== before.size || now.mtimeMs !== before.mtimeMs || now.ino !== before.ino) {
          changed = true;
          signal('room');
          return;
        }
        // Taken when the lane is free: the question covers every block cut until then.
        let g: Cut[] = [];
        const lacks = await sender.inLane(() => {
          g = pending;
          pending = [];
          pendingBytes = 0;
          signal('room');
          // Asked once about the whole file (oneAsk): the server may keep the question, and the commit names it.
          return api.missingBlocks(g.map((b) => b.hash), { keep: oneAsk && readDone });
        });
        // The chunks are this read's own (handleChunks gives each its own buffer; a cache keeps a
        // copy): freed now when the server has them, by the sender once sent when it lacks them.
        for (const b of g) {
          if (!lacks.has(b.hash)) {
            stats.blocksReused++;
            onProgress && onProgress('uploading', (done += b.bytes.byteLength), before.size);
            releaseMemory(b.bytes);
            continue;
          }
          const size = b.bytes.byteLength;
          await sender.add(b.hash, b.bytes, b.offset, true);
          stats.blocksSent++;
          stats.blockBytesSent += size;
        }
        // The first blocks leave now, not once a whole pack has filled (a failure is seen by the last finish()).
        if (first) sender.finish().catch(() => undefined);
        first = false;
      }
    };
    const pumped = pump().catch((err: unknown) => {
      failed ??= { err };
      signal('room');
    });
    let offset = 0;
    // Chunks whose copy into the block cache is under way, in file order: a chunk goes on to be
    // asked about (and may then be freed) only once its copy is written.
    const keeping: { cut: Cut; kept: Promise<void> }[] = [];
    const onward = async ({ cut, kept }: { cut: Cut; kept: Promise<void> }) => {
      await kept;
      if (asked.has(cut.hash)) stats.blocksReused++; // a block repeated in the file goes once
      else {
        asked.add(cut.hash);
        pending.push(cut);
        pendingBytes += cut.bytes.byteLength;
        signal('wake');
        // Bounded memory: the read waits while AHEAD_BYTES wait to be asked about — but not a file
        // asked about once, when read whole (oneAsk: it holds at most its own size, and its question
        // waits for the read's end; a file of exactly AHEAD_BYTES waited here forever).
        while (!oneAsk && pendingBytes >= AHEAD_BYTES && !failed && !changed) await new Promise<void>((r) => (room = r));
      }
    };
    try {
      for await (const c of handleChunks(h, undefined, before.size)) {
        if (failed || changed) break;
        const size = c.bytes.byteLength;
        blocks.push({ hash: c.hash, size });
        // Every block of the file is kept as a base for its next edit, sent or not (the server may have had it from another file).
        const kept = sender.remember(c.hash, c.bytes);
        kept.catch(() => undefined); // awaited in turn (onward); not unhandled meanwhile
        keeping.push({ cut: { hash: c.hash, bytes: c.bytes, offset }, kept });
        offset += size;
        if (keeping.length >= CACHE_WRITES) await onward(keeping.shift()!);
      }
      while (keeping.length > 0 && !failed && !changed) await onward(keeping.shift()!);
    } finally {
      await Promise.all(keeping.map((k) => k.kept.catch(() => undefined)));
      readDone = true;
      signal('wake');
      await pumped;
    }
    if (failed) throw failed.err;
    if (changed) return { blocks, stat: before, stable: false };
    await sender.finish();
    const after = await h.stat();
    const stable = before.size === after.size && before.mtimeMs === after.mtimeMs && before.ino === after.ino && offset === before.size;
    return { blocks, stat: before, stable };
  } finally {
    await h.close();
  }
}

interface Cut {
  hash: string;
  bytes: Buffer;
  offset: number;
}

/** Again: re-read the file and send the chunks in `missing` (each once; in entry packs where the server takes them). */
async function sendBlocks(sender: BlockSender, file: ReadableFile, name: string, blocks: BlockRef[], missing: Set<string>, stats: TransferStats, onProgress?: Progress): Promise<void> {
  const todo = new Set(missing);
  const counted = new Set<string>();
  let total = 0;
  for (const b of blocks) {
    if (!todo.has(b.hash) || counted.has(b.hash)) continue;
    counted.add(b.hash);
    total += b.size;
  }
  stats.blocksReused += blocks.length - todo.size;
  if (todo.size === 0) return;
  let sent = 0;
  let i = 0;
  // Progress counts blocks on the server (a queued block is not sent yet).
  sender.onSent = onProgress && ((n) => onProgress('uploading', (sent += n), total));
  // A few PUTs in flight hide the round trips; memory stays IN_FLIGHT chunks (≤ 4 MiB each).
  const inFlight = new Set<Promise<void>>();
  let failed: unknown;
  let offset = 0;
  for await (const chunk of fileChunks(file)) {
    if (failed) break;
    const expected = blocks[i++];
    const at = offset;
    const size = chunk.bytes.byteLength;
    offset += size;
    // The file must not change between the passes, or the committed list would not match the bytes.
    if (!expected || expected.hash !== chunk.hash) throw new FileChangedError(name);
    if (!todo.delete(chunk.hash)) {
      releaseMemory(chunk.bytes);
      continue;
    }
    const p: Promise<void> = sender.add(chunk.hash, chunk.bytes, at, true).then(
      () => {
        stats.blocksSent++;
        stats.blockBytesSent += size;
      },
      (err: unknown) => void (failed ??= err),
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
    if (todo.size === 0) break;
  }
  await Promise.all(inFlight);
  if (failed) throw failed;
  await sender.finish();
  if (todo.size > 0) throw new FileChangedError(name);
}
