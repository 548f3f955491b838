/** What every step of a sync pass shares. */
import type { BlockRef } from '@coffer/protocol';
import type { Served } from '../transfer/batch-download.js';
import type { BlockCache } from '../transfer/block-cache.js';
import type { ReadSmall } from '../transfer/batch-upload.js';
import type { TransferStats } from '../transfer/stats.js';
import type { Clock } from './clock.js';
import type { Faults } from './faults.js';
import type { IgnoreRules } from './ignore.js';
import type { LocalFs, LocalStat } from './local-fs.js';
import type { LocalOps } from './local-ops.js';
import type { RemoteTree } from './remote.js';
import type { SocketBacklog } from './socket-backlog.js';
import type { BaseEntry, SyncState } from './state.js';
import type { SyncApi } from './sync-api.js';

export interface SyncContext {
  api: SyncApi;
  /** The server answered 404 to POST /mkdir/batch (older): folders go one at a time from then on. */
  noMkdirBatch?: boolean;
  fs: LocalFs;
  local: LocalOps;
  clock: Clock;
  /** This device's id, as the journal names it (undefined when the server did not say). */
  deviceId: string | undefined;
  /** Remote folder (absolute, `/`-separated). */
  remoteRoot: string;
  /** The remote root folder's id (journal entries name parents by id). */
  rootId: string;
  state: SyncState;
  /** The journal position the remote picture is at. */
  cursor: number;
  /** Set when the picture must be rebuilt from a full listing before the next decision. */
  relist: boolean;
  remote: RemoteTree;
  ignore: IgnoreRules;
  /** Base paths missing from the previous pass's (complete) scan: a local deletion is acted
   *  on only when two scans in a row agree (a scan racing a move can miss a file once). */
  absentBefore: Set<string>;
  stats: TransferStats;
  faults: Faults;
  /** Subtrees (relative) that are view-only shares: nothing there is uploaded (read-only.ts). */
  readOnly: string[];
  /** `readOnly` must be read again before the next pass decides (a share's role changed, a folder came or went, a pass failed). */
  readOnlyStale: boolean;
  /** What the live event socket brought since the last catch-up (socket-backlog.ts). */
  backlog: SocketBacklog;
  log: (line: string) => void;
  /** Plaintext of blocks this device sent or received: bases of delta uploads (issue 21). Absent: blocks go compressed, never as deltas. */
  blockCache?: BlockCache;
  /** During a pass's file phase: where small files' uploads go as batches (absent: one at a time). */
  uploads?: BatchUploads;
  /** During a pass's file phase: where files too big for a batch upload, a few at once in the background (big-uploads.ts; absent: one at a time, in the pass). */
  bigUploads?: BigUploads;
  /** During a pass's file phase: small files changed here, read ahead of the pass (read-ahead.ts; absent: each read at its step). */
  readAhead?: { get(rel: string): Promise<ReadSmall | undefined> };
  /** During a pass's file phase: small files' contents fetched ahead in batches (download-prefetch.ts; absent: one at a time). */
  downloads?: DownloadsAhead;
  /** Big new files other devices are uploading, fetched while they upload (early-fetch.ts; absent: after the commit). */
  early?: EarlyFetches;
}

/** Where big new files wait that other devices are still uploading (early-fetch.ts implements it). */
export interface EarlyFetches {
  /** Blocks of `path` (remote, absolute; `size` bytes in all) stored on the server, from `offset` on: the `uploading` event. */
  note(path: string, size: number, offset: number, blocks: readonly BlockRef[]): void;
  /** The finished temp file of `rel` with `blocks` (its committed list), synced and closed; undefined: fetch it the usual way. */
  take(rel: string, blocks: readonly BlockRef[]): Promise<string | undefined>;
}

/** What an upload step answers: finished, or to be tried again next pass. */
export type StepResult = 'done' | 'again';

/** Where a pass's small files queue for batched upload (upload-pipeline.ts implements it). */
export interface BatchUploads {
  /** Queues `rel`; answers a result when it was handled at once, undefined when it went into a batch. */
  add(rel: string, known: BaseEntry | undefined): Promise<StepResult | undefined>;
}

/** Where a pass's big files upload in the background (big-uploads.ts implements it). */
export interface BigUploads {
  /** Starts uploading `rel` (once a slot is free); its outcome is settled later in the pass. */
  add(rel: string, known: BaseEntry | undefined): Promise<StepResult>;
}

/** A file fetched ahead: its verified content, and when written ahead, the finished temp file holding it (then `data` is empty). */
export interface Ahead extends Served {
  temp?: string;
  /** The temp file as written (its time already set). */
  stat?: LocalStat;
}

/** Where a pass's small files' contents wait, fetched ahead in batches (download-prefetch.ts implements it). */
export interface DownloadsAhead {
  /** The verified content of file `id` at `rev`, each taken once; undefined: fetch it alone. A temp it brings is the caller's to place or remove. */
  take(id: string, rev: number): Promise<Ahead | undefined>;
}
