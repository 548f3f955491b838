/**
 * One device's SyncApi over the model's core: the thin async layer that stands where HTTP and
 * CofferApi stand for the real server. Requests are checked as the routes check them, answers
 * go through a JSON round trip and the protocol's schemas for them (so they have exactly the
 * shape CofferApi hands the agent), and the server's errors become ApiError(status, code,
 * message, details) as the client builds them from an error answer.
 */
import type { z } from 'zod';
import { BatchCommitAnswer, BlockListsAnswer, ChangePage, CommitBrief, FileList, FileView, LatestCursor, MAX_MISSING_HASHES, MissingAnswer, PACK_END, PackStored, RevisionBlocksAnswer, encodePack, type BatchCommitItem, type LongPollAnswer } from '@coffer/protocol';
import { HttpError, hashParam } from '@coffer/server/rules';
import { ApiError } from '../../src/api/errors.js';
import { readFetchedPack } from '../../src/transfer/fetch-pack.js';
import type { CommitRequest, DeleteCondition, EntryRef, SyncApi } from '../../src/sync/sync-api.js';
import { request } from './model-requests.js';
import type { ModelCore } from './model-core.js';

export class ModelApi implements SyncApi {
  constructor(
    private readonly model: ModelCore,
    readonly deviceId: string,
  ) {}

  async me() {
    return { deviceId: this.deviceId };
  }

  async stat(path: string) {
    try {
      return await this.metadata(path);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  }
  async metadata(path: string) {
    return answer(FileView, () => this.model.metadata(path));
  }
  async list(path: string) {
    return answer(FileList, () => ({ entries: this.model.list(path) })).entries;
  }
  async mkdir(path: string, parents = false) {
    return answer(FileView, () => {
      const r = request('mkdir', { path, parents });
      return this.model.mkdir(this.deviceId, r.path, r.parents ?? false);
    });
  }
  async move(from: EntryRef, to: string) {
    return answer(FileView, () => {
      const r = request('move', 'id' in from ? { id: from.id, to } : { from: from.path, to });
      return this.model.move(this.deviceId, r.id !== undefined ? { id: r.id } : { path: r.from! }, r.to);
    });
  }
  async delete(ref: EntryRef, cond: DeleteCondition = {}) {
    answer(FileView, () => {
      const { path, id, ...checked } = request('delete', { ...ref, ...cond });
      return this.model.delete(this.deviceId, id !== undefined ? { id } : { path: path! }, checked);
    });
  }
  async missingBlocks(hashes: string[]) {
    const missing = new Set<string>();
    for (let i = 0; i < hashes.length; i += MAX_MISSING_HASHES) {
      const ans = answer(MissingAnswer, () => ({ missing: this.model.missingBlocks(request('missing', { hashes: hashes.slice(i, i + MAX_MISSING_HASHES) }).hashes) }));
      for (const h of 'missing' in ans ? ans.missing : []) missing.add(h);
    }
    return missing;
  }
  async putBlock(hash: string, bytes: Uint8Array) {
    answer(null, () => this.model.putBlock(hashParam(hash), bytes));
  }
  async getBlock(hash: string) {
    return Buffer.from(answer(null, () => this.model.getBlock(hashParam(hash))));
  }
  /** In brief, as CofferApi asks the server (`Prefer: return=minimal`): the schema keeps the brief answer's fields. */
  async commit(c: CommitRequest) {
    return answer(CommitBrief, () => this.model.commit(this.deviceId, request('commit', c)));
  }
  /** Stored, answered 204 without counts: CofferApi asks for packs in brief, as it does for commits. */
  async putPack(pack: Uint8Array) {
    answer(PackStored, () => this.model.putPack(pack));
    return undefined;
  }
  async putPackEncoded(body: Uint8Array) {
    answer(PackStored, () => this.model.putPackEncoded(body));
    return undefined;
  }
  async commitBatch(files: BatchCommitItem[], pack?: Uint8Array) {
    return answer(BatchCommitAnswer, () => {
      const body = request('commitBatch', { files, ...(pack ? { pack: Buffer.from(pack).toString('base64') } : {}) });
      // The inline pack is stored first, in the same request, as the server does.
      if (body.pack !== undefined) this.model.putPack(Buffer.from(body.pack, 'base64'));
      return { results: this.model.commitBatch(this.deviceId, body.files) };
    }).results.map((r) => (r.ok ? { ok: true as const, file: CommitBrief.parse(r.file) } : r)); // in brief, as CofferApi asks
  }
  async blockLists(files: { id: string; rev?: number }[]) {
    return answer(BlockListsAnswer, () => ({ results: this.model.blockLists(request('blockLists', { files }).files) })).results;
  }
  /** The answer's bytes as the server streams them (a pack ended by PACK_END), read and verified as CofferApi reads them. */
  async *fetchBlocks(hashes: string[]) {
    const body = this.fetchedPack(hashes);
    yield* readFetchedPack((async function* () {
      yield body;
    })());
  }
  /** POST /blocks/fetch's whole body, at one instant (the simulated network may cut it short). */
  fetchedPack(hashes: string[]): Uint8Array {
    const blocks = answer(null, () => this.model.fetchBlocks(request('fetchBlocks', { hashes }).hashes));
    const pack = encodePack(blocks);
    const body = new Uint8Array(pack.byteLength + PACK_END.byteLength);
    body.set(pack, 0);
    body.set(PACK_END, pack.byteLength);
    return body;
  }
  async revisionBlocks(path: string, rev?: number) {
    return answer(RevisionBlocksAnswer, () => {
      const r = request('revisionBlocks', { path, rev });
      return this.model.revisionBlocks(r.path, r.rev);
    });
  }
  async changes(cursor: number, limit = 1000) {
    return answer(ChangePage, () => {
      const r = request('changes', { cursor, limit });
      const page = this.model.changes(r.cursor, r.limit);
      return { entries: page.entries, cursor: page.cursor, has_more: page.hasMore };
    });
  }
  async changesLatest() {
    return answer(LatestCursor, () => ({ cursor: this.model.head() }));
  }

  /** Answers at once when the journal is past `cursor`, else at its next append or after `timeoutS` of the model's clock. */
  async longpoll(cursor: number, timeoutS = 60) {
    const r = answer(null, () => request('longpoll', { cursor, timeout: timeoutS }));
    const head = answer(null, () => this.model.checkCursor(r.cursor));
    if (head > r.cursor) return { changes: true };
    return new Promise<LongPollAnswer>((resolve) => {
      const finish = (changes: boolean) => {
        stopWatching();
        cancelTimer();
        resolve({ changes });
      };
      const stopWatching = this.model.onJournal((seq) => seq > r.cursor && finish(true));
      const cancelTimer = this.model.clock.setTimer(r.timeout * 1000, () => finish(false));
    });
  }
}

/** Run a core call; its answer as the client would parse it off the wire, its error as the client's ApiError. */
function answer<T>(schema: null, call: () => T): T;
function answer<S extends z.ZodType>(schema: S, call: () => unknown): z.infer<S>;
function answer(schema: z.ZodType | null, call: () => unknown): unknown {
  let value: unknown;
  try {
    value = call();
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    const details = err.details === undefined ? undefined : (JSON.parse(JSON.stringify(err.details)) as unknown);
    throw new ApiError(err.status, err.code, err.message, details);
  }
  return schema ? schema.parse(JSON.parse(JSON.stringify(value))) : value;
}
