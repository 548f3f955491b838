/**
 * An in-memory, deterministic Coffer server for ONE account with several devices: what the sync
 * agent sees of the real server (SyncApi), with the real server's semantics, for the simulation
 * (issue 13). Every call is applied synchronously at one instant of the injected clock; ids come
 * from a counter. `api(deviceId)` is the async SyncApi of one device, so a simulation can put its
 * own network (delays, losses, crashes) between an agent and this core.
 *
 * What it covers and leaves out, and how it is kept honest against the real server: README.md here.
 */
import type { BatchCommitResult, BlockListResult, FileView, PackStored, RevisionBlocksAnswer } from '@coffer/protocol';
import { ConflictError, NotFoundError, type ChangePage } from '@coffer/server/rules';
import type { CommitRequest, DeleteCondition, SyncApi } from '../../src/sync/sync-api.js';
import { blockLists, commitBatch, fetchBlocks, storeEncodedPack, storePack } from './model-batch.js';
import { BlockStore } from './model-blocks.js';
import { commitSync, type CommitAnswer } from './model-commit.js';
import { allVersions, contentOf, liveTree, type LiveEntry, type VersionRecord } from './model-inspect.js';
import { Journal } from './model-journal.js';
import { ModelApi } from './model-api.js';
import type { ModelCore } from './model-core.js';
import { entryByPath, type EntryRef } from './model-resolve.js';
import { IdSource, realClock, type ModelClock } from './model-sources.js';
import type { Caller, ModelState, Version } from './model-state.js';
import { listFolder, makeFolder, metadata, moveEntry, trashEntry } from './model-tree-ops.js';
import { Tree } from './model-tree.js';

export interface ModelOptions {
  /** Time and timers (default: the machine's). A simulation passes its virtual clock. */
  clock?: ModelClock;
}

export class ModelServer implements ModelCore {
  readonly clock: ModelClock;
  readonly #ids = new IdSource();
  readonly #devices = new Map<string, Caller>();
  readonly #s: ModelState;

  constructor(opts: ModelOptions = {}) {
    this.clock = opts.clock ?? realClock;
    const ids = this.#ids;
    this.#s = { tree: new Tree(ids), versions: new Map(), blocks: new BlockStore(), journal: new Journal(), ids, at: () => new Date(this.clock.now()) };
  }

  /** Sign in a new device of the account; its id (used in the journal) and name (in conflicted copies). */
  addDevice(name: string): string {
    const deviceId = this.#ids.next();
    this.#devices.set(deviceId, { deviceId, deviceName: name });
    return deviceId;
  }

  /** The SyncApi of one device: async, answers and errors exactly as CofferApi gives them. */
  api(deviceId: string): ModelApi {
    this.#caller(deviceId);
    return new ModelApi(this, deviceId);
  }

  // The core: each call applied at one instant; errors are the server's HttpErrors.

  metadata(path: string): FileView {
    return metadata(this.#s, path);
  }
  list(path: string): FileView[] {
    return listFolder(this.#s, path);
  }
  mkdir(deviceId: string, path: string, parents: boolean): FileView {
    return makeFolder(this.#s, this.#caller(deviceId), path, parents);
  }
  move(deviceId: string, from: EntryRef, to: string): FileView {
    return moveEntry(this.#s, this.#caller(deviceId), from, to);
  }
  delete(deviceId: string, ref: EntryRef, cond: DeleteCondition): FileView {
    return trashEntry(this.#s, this.#caller(deviceId), ref, cond);
  }
  commit(deviceId: string, c: CommitRequest): CommitAnswer {
    return commitSync(this.#s, this.#caller(deviceId), c);
  }
  missingBlocks(hashes: readonly string[]): string[] {
    return this.#s.blocks.missing(hashes);
  }
  putBlock(hash: string, bytes: Uint8Array): { stored: boolean } {
    return this.#s.blocks.put(hash, bytes);
  }
  getBlock(hash: string): Uint8Array {
    return this.#s.blocks.read(hash);
  }
  putPack(body: Uint8Array): PackStored {
    return storePack(this.#s, body);
  }
  putPackEncoded(body: Uint8Array): PackStored {
    return storeEncodedPack(this.#s, body);
  }
  /** POST /files/commit/batch: an answer per file; the batch's commits all at this one instant. */
  commitBatch(deviceId: string, files: readonly CommitRequest[]): BatchCommitResult[] {
    return commitBatch(this.#s, this.#caller(deviceId), files);
  }
  blockLists(files: readonly { id: string; rev?: number }[]): BlockListResult[] {
    return blockLists(this.#s, files);
  }
  fetchBlocks(hashes: readonly string[]): { hash: string; bytes: Uint8Array }[] {
    return fetchBlocks(this.#s, hashes);
  }

  /** GET /revisions/blocks (files/revisions.ts versionOf): the head's block list, or revision `rev`'s; the entry's modifiedAt with the head's (routes/revisions.ts). */
  revisionBlocks(path: string, rev?: number): RevisionBlocksAnswer {
    const row = entryByPath(this.#s.tree, path);
    if (row.isDir) throw new ConflictError('a folder has no content to download', { code: 'is_folder' });
    if (rev === undefined && row.rev === 0) throw new NotFoundError('the file is still uploading: it has no content yet', { code: 'no_content' });
    const v = this.#s.versions.get(row.id)?.find((x) => x.rev === (rev ?? row.rev));
    if (!v) throw new NotFoundError(`the file has no revision ${rev}`, { code: 'no_revision' });
    return { rev: v.rev, size: v.size, contentHash: v.contentHash, blocks: v.blocks.map((b) => ({ hash: b.hash, size: b.size })), ...(v.rev === row.rev ? { modifiedAt: row.modifiedAt.toISOString() } : {}) };
  }

  /** GET /changes: 410 `reset` for a cursor ahead of the journal. */
  changes(cursor: number, limit: number): ChangePage {
    this.#s.journal.check(cursor);
    return this.#s.journal.page(cursor, limit);
  }
  /** The journal's head after checking `cursor` (410 `reset`), as a long poll starts. */
  checkCursor(cursor: number): number {
    return this.#s.journal.check(cursor);
  }

  /** The newest seq (0: none): GET /changes/latest. */
  head(): number {
    return this.#s.journal.head;
  }
  /** `listener(seq)` after each journal append, until the answered function is called. */
  onJournal(listener: (head: number) => void): () => void {
    return this.#s.journal.onAppend(listener);
  }

  // For the simulation's checks.

  /** Stored path → live entry. */
  liveTree(): Map<string, LiveEntry> {
    return liveTree(this.#s);
  }
  /** Every version of every file ever committed, trashed files' included, in commit order. */
  allVersions(): VersionRecord[] {
    return allVersions(this.#s);
  }
  /** A version's (or any block list's) bytes. */
  contentOf(v: Pick<Version, 'blocks'>): Buffer {
    return contentOf(this.#s, v);
  }
  /** The journal as devices read it. */
  journal(): ChangePage['entries'] {
    return this.#s.journal.page(0, Number.MAX_SAFE_INTEGER).entries;
  }

  #caller(deviceId: string): Caller {
    const who = this.#devices.get(deviceId);
    if (!who) throw new Error(`no device ${deviceId} in this model (addDevice first)`);
    return who;
  }
}
