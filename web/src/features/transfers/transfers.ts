/**
 * The transfer list: every file dropped or picked, queued and uploaded a few at a time by the
 * upload engine, with per-file and total progress, speed over a moving window and time left.
 * Pause aborts the file's requests; resume runs it again (the server answers which blocks it
 * still lacks, so only those are sent). A commit that finds the name taken waits for the person:
 * keep both (a numbered name, the server's rule) or replace (a new version of that file).
 * Small files queued together go as batches (batch-upload.ts: a few requests for many files);
 * a file alone, or a large one, takes the single-file path. `uploadsCommitted` ticks when files
 * land, so a listing can refresh.
 */
import { batch, computed, signal, type Signal } from '@preact/signals';
import { numberedName, type WholeBatchCommitResult } from '@coffer/protocol';
import { ApiError } from '../../api/client';
import { toast } from '../../ui/index';
import { BATCH_BYTES, BATCH_FILES, BATCHES_IN_FLIGHT, SMALL_FILE_BYTES, sendSmallBatch, type BatchApi } from './batch-upload';
import { t } from './messages';
import { ensureFolder, httpUploadApi } from './transfer-api';
import { SpeedMeter } from './speed';
import { commitBlocks, sendBlocks, type SentFile, type UploadApi } from './upload-engine';

export type TransferState = 'queued' | 'uploading' | 'committing' | 'paused' | 'conflict' | 'done' | 'failed' | 'cancelled';

export interface Conflict {
  /** The entry at the name now (id null: none any more). */
  current: { id: string | null; rev: number; size: number; contentHash?: string };
}

export interface Transfer {
  id: number;
  file: Blob;
  name: string;
  /** The folder it goes into. */
  folder: string;
  size: number;
  state: Signal<TransferState>;
  done: Signal<number>;
  sent: Signal<number>;
  speed: Signal<number>;
  error: Signal<string | undefined>;
  conflict: Signal<Conflict | undefined>;
  /** Where it was committed (a kept-both copy's own name). */
  committedName: Signal<string | undefined>;
  meter: SpeedMeter;
  controller?: AbortController;
  sentFile?: SentFile;
  mtime?: number;
  /** Part of a batch under way (batch-upload.ts): not counted among the single uploads. */
  batched?: boolean;
  /** Its batch failed as a whole (or was stopped by a pause or cancel of one of its files): it goes alone from now on. */
  batchFailed?: boolean;
}

/** Files uploading at once (small files gain from overlap; one large file fills the line alone). */
const PARALLEL_FILES = 6;

let api: UploadApi & BatchApi = httpUploadApi;
let batchesRunning = 0;
let nextId = 1;

export const transfers = signal<Transfer[]>([]);
/** Increments (at most a few times a second) when uploads commit: listings watch it to refresh. */
export const uploadsCommitted = signal(0);
export const panelOpen = signal(false);

/** Tests and benchmarks may plug in another API (e.g. counting bytes). */
export function useUploadApi(a: UploadApi & BatchApi): void {
  api = a;
}

export const active = computed(() => transfers.value.filter((t) => ['queued', 'uploading', 'committing'].includes(t.state.value)));

export const totals = computed(() => {
  let size = 0;
  let done = 0;
  let speed = 0;
  let files = 0;
  let finished = 0;
  for (const t of transfers.value) {
    const s = t.state.value;
    if (s === 'cancelled') continue;
    files++;
    size += t.size;
    done += s === 'done' ? t.size : t.done.value;
    if (s === 'done') finished++;
    if (s === 'uploading') speed += t.speed.value;
  }
  return { size, done, speed, files, finished, secondsLeft: speed > 0 ? (size - done) / speed : undefined };
});

let commitTick: ReturnType<typeof setTimeout> | undefined;
function committed(): void {
  commitTick ??= setTimeout(() => {
    commitTick = undefined;
    uploadsCommitted.value++;
  }, 250);
}

function joinPath(folder: string, name: string): string {
  return `${folder === '/' ? '' : folder}/${name}`;
}

/** A file to upload and where below the drop folder it goes ('' or 'a/b' for folders dropped whole). */
export interface PickedFile {
  file: File;
  relDir: string;
}

/** Queue files for `folder`; folders they sit in (a dropped folder's tree) are created first. */
export async function enqueue(folder: string, picked: PickedFile[]): Promise<void> {
  if (picked.length === 0) return;
  panelOpen.value = true;
  const dirs = [...new Set(picked.map((p) => p.relDir).filter(Boolean))].sort();
  // Only the deepest folders need asking for (parents: true makes the ones above).
  const leaves = dirs.filter((d, i) => !dirs.slice(i + 1).some((e) => e.startsWith(d + '/')));
  try {
    for (const d of leaves) await ensureFolder(joinPath(folder, d));
  } catch (err) {
    toast(t('folderFailed', { msg: err instanceof Error ? err.message : String(err) }));
    return;
  }
  const added = picked.map(({ file, relDir }): Transfer => ({
    id: nextId++,
    file,
    name: file.name,
    folder: relDir ? joinPath(folder, relDir) : folder,
    size: file.size,
    state: signal<TransferState>('queued'),
    done: signal(0),
    sent: signal(0),
    speed: signal(0),
    error: signal(undefined),
    conflict: signal(undefined),
    committedName: signal(undefined),
    meter: new SpeedMeter(),
    mtime: file.lastModified || undefined,
  }));
  transfers.value = [...transfers.value, ...added];
  pump();
}

function pump(): void {
  // Small files queued together go as batches; the batch's files wait for a batch slot, not a single one.
  let small = transfers.value.filter((t) => t.state.value === 'queued' && t.size <= SMALL_FILE_BYTES && !t.batchFailed);
  while (small.length >= 2 && batchesRunning < BATCHES_IN_FLIGHT) {
    const take: Transfer[] = [];
    let bytes = 0;
    for (const t of small) {
      if (take.length >= BATCH_FILES || (take.length > 0 && bytes + t.size > BATCH_BYTES)) break;
      take.push(t);
      bytes += t.size;
    }
    small = small.slice(take.length);
    batchesRunning++;
    void runBatch(take).finally(() => {
      batchesRunning--;
      pump();
    });
  }
  const waitForBatch = small.length >= 2;
  const running = transfers.value.filter((t) => !t.batched && (t.state.value === 'uploading' || t.state.value === 'committing')).length;
  let room = PARALLEL_FILES - running;
  for (const t of transfers.value) {
    if (room <= 0) break;
    if (t.state.value !== 'queued' || (waitForBatch && t.size <= SMALL_FILE_BYTES && !t.batchFailed)) continue;
    room--;
    void run(t).finally(pump);
  }
}

/** A batch of small files: sent together, then each file settled on its own answer (done, a conflict to settle, or failed). */
async function runBatch(batchOf: Transfer[]): Promise<void> {
  const controller = new AbortController();
  batch(() => {
    for (const t of batchOf) {
      t.controller = controller;
      t.batched = true;
      t.state.value = 'uploading';
      t.error.value = undefined;
      t.done.value = 0;
    }
  });
  try {
    const sent = await sendSmallBatch(
      api,
      batchOf.map((t) => ({ blob: t.file, path: joinPath(t.folder, t.name), mtime: t.mtime })),
      controller.signal,
    );
    await Promise.all(batchOf.map((t, i) => settleBatched(t, sent.files[i]!, sent.results[i]!)));
  } catch {
    // The batch as a whole failed (network, a refused pack, a pause or cancel of one of its files):
    // the rest go again alone, where each fails or pauses on its own.
    batch(() => {
      for (const t of batchOf) {
        t.batchFailed = true;
        if (t.state.value === 'uploading') t.state.value = 'queued';
      }
    });
  } finally {
    for (const t of batchOf) t.batched = false;
  }
}

/** One file's answer in a batch, settled as the single path would settle it. */
async function settleBatched(t: Transfer, sent: SentFile, result: WholeBatchCommitResult): Promise<void> {
  t.sentFile = sent;
  if (t.state.value === 'cancelled') return;
  if (result.ok) {
    landed(t, result.file.name);
    return;
  }
  const target = { path: joinPath(t.folder, t.name), baseRev: null };
  t.controller = new AbortController();
  t.state.value = 'committing';
  try {
    const err = new ApiError(result.error.status, result.error.code, result.error.message, result.error.details);
    // Blocks gone between asking and committing: the single path sends them again and commits.
    if (result.error.code === 'missing_blocks') await commitAs(t, target);
    else if (!(await commitFailed(t, target, err))) return;
  } catch (err) {
    failure(t, err);
  }
}

function failure(t: Transfer, err: unknown): void {
  if (t.controller?.signal.aborted) return; // paused or cancelled: their state is set already
  batch(() => {
    t.state.value = 'failed';
    t.error.value = err instanceof Error ? err.message : String(err);
    t.speed.value = 0;
  });
}

async function run(t: Transfer): Promise<void> {
  const controller = new AbortController();
  t.controller = controller;
  batch(() => {
    t.state.value = 'uploading';
    t.error.value = undefined;
    t.done.value = 0;
    t.speed.value = 0;
  });
  t.meter.reset();
  const opts = {
    signal: controller.signal,
    onProgress: (p: { done: number; sent: number }) => {
      t.meter.add(p.done);
      batch(() => {
        t.done.value = p.done;
        t.sent.value = p.sent;
        t.speed.value = t.meter.bytesPerSecond;
      });
    },
  };
  try {
    t.sentFile = await sendBlocks(api, t.file, opts);
    t.state.value = 'committing';
    await commitAs(t, { path: joinPath(t.folder, t.name), baseRev: null });
  } catch (err) {
    failure(t, err);
  }
}

function landed(t: Transfer, name: string): void {
  batch(() => {
    t.committedName.value = name;
    t.state.value = 'done';
    t.done.value = t.size;
    t.speed.value = 0;
  });
  committed();
}

/** Commit the sent blocks at `target`; a taken name waits for keep-both or replace. */
async function commitAs(t: Transfer, target: { path: string; baseRev: number | null; fileId?: string }): Promise<boolean> {
  const sent = t.sentFile!;
  try {
    const answer = await commitBlocks(api, t.file, sent, { ...target, mtime: t.mtime }, { signal: t.controller?.signal });
    landed(t, answer.name);
    return true;
  } catch (err) {
    return commitFailed(t, target, err);
  }
}

/** A commit refused: the same bytes there already are done; a taken name waits for the person (or, for a numbered try, the next number); anything else throws. */
function commitFailed(t: Transfer, target: { path: string; baseRev: number | null }, err: unknown): boolean {
  const e = err as { status?: number; code?: string; details?: { current?: Conflict['current'] } };
  if (e.status !== 409 || !e.details?.current) throw err;
  const current = e.details.current;
  if (current.id !== null && current.contentHash === t.sentFile!.contentHash) {
    // The same bytes are there already: nothing to settle.
    batch(() => {
      t.state.value = 'done';
      t.done.value = t.size;
    });
    return true;
  }
  if (target.baseRev === null && !target.path.endsWith('/' + t.name)) return false; // a numbered try was taken: the caller tries the next
  batch(() => {
    t.conflict.value = { current };
    t.state.value = 'conflict';
    t.speed.value = 0;
  });
  return false;
}

/** Keep both: the upload takes the first free numbered name ('report (1).txt', …). */
export async function keepBoth(t: Transfer): Promise<void> {
  if (t.state.value !== 'conflict' || !t.sentFile) return;
  t.controller = new AbortController();
  t.state.value = 'committing';
  try {
    for (let n = 1; n <= 100; n++) {
      if (await commitAs(t, { path: joinPath(t.folder, numberedName(t.name, n)), baseRev: null })) return;
    }
    throw new Error('no free name');
  } catch (err) {
    failure(t, err);
  } finally {
    t.conflict.value = undefined;
  }
}

/** Replace: a new version of the file at the name (its history keeps the old one). */
export async function replace(t: Transfer): Promise<void> {
  const c = t.conflict.value;
  if (t.state.value !== 'conflict' || !t.sentFile || !c) return;
  t.controller = new AbortController();
  t.state.value = 'committing';
  t.conflict.value = undefined;
  try {
    await commitAs(t, c.current.id === null ? { path: joinPath(t.folder, t.name), baseRev: null } : { path: joinPath(t.folder, t.name), baseRev: c.current.rev, fileId: c.current.id });
  } catch (err) {
    failure(t, err);
  }
}

export function pause(t: Transfer): void {
  if (t.state.value !== 'uploading' && t.state.value !== 'queued') return;
  batch(() => {
    t.state.value = 'paused';
    t.speed.value = 0;
  });
  t.controller?.abort();
  pump();
}

/** Run it again: re-cut and re-hashed, only blocks the server still lacks are sent. */
export function resume(t: Transfer): void {
  if (t.state.value !== 'paused' && t.state.value !== 'failed') return;
  t.state.value = 'queued';
  pump();
}

export function cancel(t: Transfer): void {
  if (t.state.value === 'done' || t.state.value === 'cancelled') return;
  t.state.value = 'cancelled';
  t.controller?.abort();
  transfers.value = transfers.value.filter((x) => x !== t);
  pump();
}

/** Drop finished and cancelled rows from the list. */
export function clearFinished(): void {
  transfers.value = transfers.value.filter((t) => !['done', 'cancelled'].includes(t.state.value));
  if (transfers.value.length === 0) panelOpen.value = false;
}


// Leaving the page mid-upload loses the queue (sent blocks stay on the server for a day): ask first.
if (typeof window !== 'undefined') {
  window.addEventListener('beforeunload', (e) => {
    if (active.value.length > 0) e.preventDefault();
  });
}
