/**
 * What the model server's SyncApi (model-api.ts) calls on the model: its synchronous core, one
 * call per API operation. ModelServer implements it; ModelApi depends on this and not on
 * ModelServer, which creates ModelApis (so the two need not import each other).
 */
import type { BatchCommitResult, BlockListResult, FileView, PackStored, RevisionBlocksAnswer } from '@coffer/protocol';
import type { ChangePage } from '@coffer/server/rules';
import type { CommitRequest, DeleteCondition } from '../../src/sync/sync-api.js';
import type { CommitAnswer } from './model-commit.js';
import type { EntryRef } from './model-resolve.js';
import type { ModelClock } from './model-sources.js';

export interface ModelCore {
  /** Time and timers of the model (long polls wait on it). */
  readonly clock: ModelClock;
  metadata(path: string): FileView;
  list(path: string): FileView[];
  mkdir(deviceId: string, path: string, parents: boolean): FileView;
  move(deviceId: string, from: EntryRef, to: string): FileView;
  delete(deviceId: string, ref: EntryRef, cond: DeleteCondition): FileView;
  commit(deviceId: string, c: CommitRequest): CommitAnswer;
  missingBlocks(hashes: readonly string[]): string[];
  putBlock(hash: string, bytes: Uint8Array): { stored: boolean };
  getBlock(hash: string): Uint8Array;
  putPack(body: Uint8Array): PackStored;
  putPackEncoded(body: Uint8Array): PackStored;
  commitBatch(deviceId: string, files: readonly CommitRequest[]): BatchCommitResult[];
  blockLists(files: readonly { id: string; rev?: number }[]): BlockListResult[];
  fetchBlocks(hashes: readonly string[]): { hash: string; bytes: Uint8Array }[];
  revisionBlocks(path: string, rev?: number): RevisionBlocksAnswer;
  changes(cursor: number, limit: number): ChangePage;
  checkCursor(cursor: number): number;
  head(): number;
  onJournal(listener: (head: number) => void): () => void;
}
