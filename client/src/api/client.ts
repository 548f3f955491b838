/**
 * Typed calls of the Coffer API on top of HttpClient: what the CLI and a sync agent need. Every
 * call is an operation of @coffer/protocol (its method, path and schemas); every JSON answer is
 * validated with the operation's schema for its status, so a mismatched server fails with a
 * clear message instead of undefined values later. Errors are ApiError with the server's message.
 */
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import {
  JSON_COMPRESS_MIN_BYTES,
  PREFER_MINIMAL,
  type CommitResult,
  MAX_MISSING_HASHES,
  missingFromBits,
  operations as ops,
  pathOf,
  entryPackPieces,
  type PackEntryOnWire,
  ServerMessage,
  EVENTS_PATH,
  type BatchCommitItem,
  type ListBatchResult,
  type BlockEncoding,
  BLOCK_ENCODING_HEADER,
  BLOCK_SIZE_HEADER,
  type BatchCommitResult,
  type MkdirBatchResult,
  type BlockListResult,
  type DeleteRequest,
  type FileView,
  type LinkCreate,
  type LinkUpdate,
  type Operation,
  type OperationSpec,
} from '@coffer/protocol';
import { readFetchedPack, type FetchedBlock } from '../transfer/fetch-pack.js';
import { ApiError, apiErrorFrom } from './errors.js';
import { KEEP_FROM_HASHES, KeptLists } from './kept-lists.js';
import { HttpClient, readAll, readAnswer, type Body, type RequestOptions } from './http.js';
import type { Trust } from './pinned-agent.js';
import type { CommitRequest, DeleteCondition, EntryRef, EventFeed, EventHandlers, PackAnnounce, SyncApi } from '../sync/sync-api.js';

/** The server pings every 30 s: nothing heard for this long means a dead peer or network. */
const EVENTS_SILENCE_MS = 75_000;

/** A path, or an entry named by path or id. */
const ref = (r: string | EntryRef): EntryRef => (typeof r === 'string' ? { path: r } : r);

type Answers<O extends OperationSpec> = O['answers'];
/** What a call answers: the parsed JSON of whichever of its answers came (undefined for one without a body). */
type Answered<O extends OperationSpec> = {
  [S in keyof Answers<O>]: Answers<O>[S] extends { json: infer Z extends z.ZodType } ? z.output<Z> : undefined;
}[keyof Answers<O>];

interface Call<O extends OperationSpec> {
  params?: Record<string, string>;
  /** Query values as the operation names them (serialised as text). */
  query?: O['query'] extends z.ZodType ? { [K in keyof z.input<O['query']>]?: string | number | boolean | undefined } : never;
  body?: O['body'] extends { json: infer Z extends z.ZodType } ? z.input<Z> : never;
  raw?: Body;
  /** The answer is never long enough to come compressed: no Accept-Encoding (23 bytes less). */
  shortAnswer?: boolean;
}

/** At most this many hashes asked about, the answer stays under JSON_COMPRESS_MIN_BYTES even from a
 *  server that answers the missing hashes themselves (`{"missing":[…]}`, 67 bytes a hash; one from
 *  before `answer=bits`): it never comes compressed, so it is not asked for. */
const NEVER_COMPRESSED_MISSING = Math.floor((JSON_COMPRESS_MIN_BYTES - '{"missing":[]}'.length) / 67);

/** Answers the client reads nothing of (a stored pack's counts) or only part of (a commit's): asked for in brief. */
const MINIMAL: RequestOptions = { headers: { prefer: PREFER_MINIMAL } };

export class CofferApi implements SyncApi {
  readonly http: HttpClient;
  readonly #keptLists = new KeptLists();

  constructor(url: string, trust: Trust, token?: string) {
    this.http = new HttpClient(url, trust, token);
  }

  /** One operation: sent as it defines, its answer validated with the schema of the status that came. */
  async #call<O extends Operation>(op: O, c: Call<O> = {}, o: RequestOptions = {}): Promise<Answered<O>> {
    const path = pathOf(op, c.params);
    // Every answer read here is JSON (or an error's): a long one may come compressed (readAnswer decodes it).
    // Not asked for with an upload of raw bytes: its answer is a few numbers, never long enough to be compressed.
    const headers = c.raw !== undefined || c.shortAnswer ? { ...o.headers } : { 'accept-encoding': 'zstd', ...o.headers };
    const res = await this.http.stream(op.method, path, {
      ...o,
      headers,
      query: c.query as RequestOptions['query'],
      ...(c.body !== undefined ? { json: c.body } : {}),
      ...(c.raw !== undefined ? { body: c.raw, headers: { 'content-type': 'application/octet-stream', ...headers } } : {}),
    });
    const text = (await readAnswer(res)).toString('utf8');
    const answer = op.answers[res.statusCode ?? 0];
    const schema = answer && 'json' in answer ? answer.json : undefined;
    if (!schema) return undefined as Answered<O>;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw unexpected(op, 'the body is not JSON');
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw unexpected(op, parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    return parsed.data as Answered<O>;
  }

  login(username: string, password: string, deviceName: string) {
    return this.#call(ops.login, { body: { username, password, device: { name: deviceName, kind: 'cli' } } });
  }
  /** The second step of a sign-in (an authenticator code or a recovery code; six digits are a code). */
  loginSecondStep(ticket: string, code: string) {
    const c = code.trim();
    return this.#call(ops.completeTwoFactorLogin, { body: /^\d{6}$/.test(c) ? { ticket, totp: c } : { ticket, recoveryCode: c } });
  }
  async logout(): Promise<void> {
    await this.#call(ops.logout);
  }
  me() {
    return this.#call(ops.getMe);
  }
  devices() {
    return this.#call(ops.listDevices);
  }

  /** All of a folder's children (follows the cursor through every page). */
  async list(path: string, sort: 'name' | 'modified' | 'size' = 'name'): Promise<FileView[]> {
    const all: FileView[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#call(ops.listFolder, { query: { path, limit: 1000, sort, cursor } });
      all.push(...page.entries);
      cursor = page.cursor;
    } while (cursor);
    return all;
  }
  metadata(path: string) {
    return this.#call(ops.getMetadata, { query: { path } });
  }
  /** The entry at path, or undefined when there is none (404). */
  async stat(path: string): Promise<FileView | undefined> {
    try {
      return await this.metadata(path);
    } catch (err) {
      if ((err as { status?: number }).status === 404) return undefined;
      throw err;
    }
  }
  mkdir(path: string, parents = false) {
    return this.#call(ops.mkdir, { body: { path, parents } });
  }

  /** Many folders' first pages in one request (POST /list/batch, at most MAX_LIST_BATCH_FOLDERS), each answered on its own. */
  async listBatch(paths: string[]): Promise<ListBatchResult[]> {
    return (await this.#call(ops.listBatch, { body: { paths } })).results;
  }

  /** Many folders in one request (POST /mkdir/batch), each answered on its own. */
  async mkdirBatch(paths: string[], parents = false): Promise<MkdirBatchResult[]> {
    return (await this.#call(ops.mkdirBatch, { body: { paths, parents } })).results;
  }
  move(from: string | EntryRef, to: string) {
    const r = ref(from);
    return this.#call(ops.move, { body: 'id' in r ? { id: r.id, to } : { from: r.path, to } });
  }
  async delete(target: string | EntryRef, cond: DeleteCondition = {}): Promise<void> {
    const body: DeleteRequest = { ...ref(target), ...cond };
    await this.#call(ops.deleteEntry, { body });
  }
  revisions(path: string, limit = 100) {
    return this.#call(ops.listRevisions, { query: { path, limit } });
  }
  restore(path: string, rev: number) {
    return this.#call(ops.restoreRevision, { body: { path, rev } });
  }
  keepRevision(path: string, rev: number, keep: boolean) {
    return this.#call(ops.keepRevision, { body: { path, rev, keep } });
  }

  // Sharing.
  async readOnlyRoots(): Promise<string[]> {
    const list = await this.shares('incoming');
    return list.filter((s) => s.state === 'accepted' && s.role === 'viewer' && s.path !== null).map((s) => s.path!);
  }
  share(path: string, to: { user?: string; group?: string }, role: 'viewer' | 'editor', allowReshare?: boolean) {
    return this.#call(ops.createShare, { body: { path, ...to, role, ...(allowReshare !== undefined ? { allowReshare } : {}) } });
  }
  async shares(direction: 'incoming' | 'outgoing') {
    return (await this.#call(ops.listShares, { query: { direction } })).shares;
  }
  acceptShare(id: string, name?: string) {
    return this.#call(ops.acceptShare, { params: { id }, body: name !== undefined ? { name } : {} });
  }
  declineShare(id: string) {
    return this.#call(ops.declineShare, { params: { id } });
  }
  async revokeShare(id: string): Promise<void> {
    await this.#call(ops.revokeShare, { params: { id } });
  }
  shareRole(id: string, role: 'viewer' | 'editor') {
    return this.#call(ops.updateShare, { params: { id }, body: { role } });
  }
  createLink(body: LinkCreate) {
    return this.#call(ops.createLink, { body });
  }
  links() {
    return this.#call(ops.listLinks);
  }
  updateLink(id: string, body: LinkUpdate) {
    return this.#call(ops.updateLink, { params: { id }, body });
  }
  async deleteLink(id: string): Promise<void> {
    await this.#call(ops.deleteLink, { params: { id } });
  }

  /** The hashes the server lacks, asked in batches (the server takes at most MAX_MISSING_HASHES at once).
   *  Answered as a bitmap (a server from before answers the hashes: either is read). */
  async missingBlocks(hashes: string[], opts: { keep?: boolean } = {}): Promise<Set<string>> {
    const missing = new Set<string>();
    // Kept only when one question holds the list, and when naming it saves more than the id costs.
    const keep = opts.keep === true && hashes.length >= KEEP_FROM_HASHES && hashes.length <= MAX_MISSING_HASHES;
    for (let i = 0; i < hashes.length; i += MAX_MISSING_HASHES) {
      const asked = hashes.slice(i, i + MAX_MISSING_HASHES).map((h) => h.toLowerCase());
      const query = keep ? { answer: 'bits' as const, keep: '1' as const } : { answer: 'bits' as const };
      const ans = await this.#call(ops.missingBlocks, { query, body: { hashes: asked }, shortAnswer: asked.length <= NEVER_COMPRESSED_MISSING });
      const got = 'missingBits' in ans ? missingFromBits(asked, ans.missingBits) : ans.missing;
      if (!got) throw new Error('the server answered POST /blocks/missing with a bitmap that does not fit the question');
      for (const h of got) missing.add(h);
      if (keep && ans.list) this.#keptLists.remember(ans.list, asked);
    }
    return missing;
  }
  async putBlock(hash: string, bytes: Uint8Array): Promise<void> {
    await this.#call(ops.putBlock, { params: { sha256: hash }, raw: bytes });
  }
  async putBlockEncoded(hash: string, body: Uint8Array, q: { encoding: BlockEncoding; size: number; base?: string }): Promise<void> {
    await this.#call(ops.putBlockEncoded, { params: { sha256: hash }, query: q, raw: body }, { headers: { 'content-type': 'application/zstd' } });
  }
  /** One block's bytes (at most MAX_BLOCK_BYTES); readable when a version the caller may read has it. */
  async getBlock(hash: string): Promise<Buffer> {
    return readAll(await this.http.stream('GET', pathOf(ops.getBlock, { sha256: hash }), { headers: { accept: 'application/octet-stream' } }));
  }
  /** A block encoded for the wire (issue 21): the body and how it encodes the block, not yet decoded nor checked (transfer/wire-fetch.ts does both). */
  async getBlockEncoded(hash: string, bases?: readonly string[]): Promise<{ encoding: string; size: number; body: Buffer }> {
    const res = await this.http.stream('GET', pathOf(ops.getBlockEncoded, { sha256: hash }), {
      headers: { accept: 'application/octet-stream' },
      ...(bases && bases.length > 0 ? { query: { base: bases.join(',') } } : {}),
    });
    const encoding = String(res.headers[BLOCK_ENCODING_HEADER.toLowerCase()] ?? '');
    const size = Number(res.headers[BLOCK_SIZE_HEADER.toLowerCase()]);
    return { encoding, size, body: await readAll(res) };
  }
  /** Answered in brief (`Prefer: return=minimal`: what the client records), or whole by a server from before. */
  async commit(c: CommitRequest): Promise<CommitResult> {
    // A brief answer is ~150 bytes and its path (twice with a conflicted copy): with a short path it is never compressed, so not asked for.
    const shortAnswer = 200 + 2 * Buffer.byteLength(JSON.stringify(c.path)) < JSON_COMPRESS_MIN_BYTES;
    // Blocks the server kept as a question are named, not listed again (issue 21).
    const list = this.#keptLists.find(c.blocks);
    if (list !== undefined) {
      const { blocks, ...rest } = c;
      try {
        return await this.#call(ops.commitFromBlocks, { body: { ...rest, blockList: { id: list, sizes: blocks.map((b) => b.size) } }, shortAnswer }, MINIMAL);
      } catch (err) {
        // Gone (forgotten, another server process) or not understood (a server from before): listed, as always.
        if (!(err instanceof ApiError && (err.code === 'block_list_unknown' || err.code === 'block_list_mismatch' || err.code === 'invalid_request'))) throw err;
        this.#keptLists.forget(list);
      }
    }
    return this.#call(ops.commitFromBlocks, { body: c, shortAnswer }, MINIMAL);
  }
  /** Many blocks in one request (a pack, @coffer/protocol's encodePack builds it). */
  putPack(pack: Uint8Array) {
    return this.#call(ops.putPack, { raw: pack }, MINIMAL);
  }
  /** A pack compressed whole (issue 21); 404 from a server without the route. */
  putPackEncoded(body: Uint8Array) {
    return this.#call(ops.putPackEncoded, { query: { encoding: 'zstd' }, raw: body }, { headers: { ...MINIMAL.headers, 'content-type': 'application/zstd' } });
  }
  /** Blocks each raw, zstd or a delta, in one request (issue 21, @coffer/protocol encodeEntryPack), in the lean form (CFE2); 404 from a server without the route. */
  putPackEntries(entries: readonly PackEntryOnWire[], announce?: PackAnnounce) {
    return this.#call(ops.putPackEntries, { raw: entryPackPieces(entries, 'lean'), ...(announce ? { query: { file: announce.file, offset: String(announce.offset), size: String(announce.size) } } : {}) }, MINIMAL);
  }
  /** Many commits in one request and one transaction; one result per file, in order. `pack`: their blocks
   *  inline (at most MAX_INLINE_PACK_BYTES; 400 invalid_request from a server older than issue 21). */
  async commitBatch(files: BatchCommitItem[], pack?: Uint8Array): Promise<BatchCommitResult[]> {
    const inline = pack ? { pack: Buffer.from(pack.buffer, pack.byteOffset, pack.byteLength).toString('base64') } : {};
    return (await this.#call(ops.commitBatch, { body: { files, ...inline } }, MINIMAL)).results;
  }
  /** Many files' block lists by id (and revision) in one request; one result per file, in order. */
  async blockLists(files: { id: string; rev?: number }[]): Promise<BlockListResult[]> {
    return (await this.#call(ops.revisionBlocksBatch, { body: { files } })).results;
  }
  /** Many blocks in one streamed answer (at most MAX_FETCH_BLOCKS hashes and MAX_FETCH_BYTES bytes):
   *  each readable one once, verified; the others are simply not among them. */
  async *fetchBlocks(hashes: string[]): AsyncGenerator<FetchedBlock> {
    const res = await this.http.stream('POST', ops.fetchBlocks.path, { json: { hashes }, headers: { accept: 'application/octet-stream' } });
    yield* readFetchedPack(res, true); // an answer's pieces are copies made for it (Node's HTTP parser): ours to free
  }
  /** The bytes of a file (head or a revision); the caller consumes the stream. */
  download(path: string, opts: { rev?: number; headers?: Record<string, string> } = {}): Promise<IncomingMessage> {
    return this.http.stream('GET', ops.download.path, { query: { path, rev: opts.rev }, headers: opts.headers, accept: [304] });
  }

  /** A revision's ordered block list (head when rev is omitted). */
  revisionBlocks(path: string, rev?: number) {
    return this.#call(ops.revisionBlocks, { query: { path, rev } });
  }
  /** One page of the journal after `cursor`; 410 `reset` when the cursor cannot be served. */
  changes(cursor: number, limit = 1000) {
    return this.#call(ops.listChanges, { query: { cursor, limit } });
  }
  changesLatest() {
    return this.#call(ops.latestCursor);
  }
  /** Held by the server until something follows `cursor` or `timeoutS` passes. */
  longpoll(cursor: number, timeoutS = 60) {
    return this.#call(ops.longpollChanges, { query: { cursor, timeout: timeoutS } }, { idleTimeoutMs: (timeoutS + 30) * 1000 });
  }

  /** The websocket change feed after `cursor`: each message checked against the protocol's shape. */
  events(cursor: number, on: EventHandlers): EventFeed {
    const ws = this.http.websocket(EVENTS_PATH.slice('/api/v1'.length), ['coffer']);
    let done = false;
    let failure: Error | undefined;
    let silence: NodeJS.Timeout | undefined;
    const heard = () => {
      clearTimeout(silence);
      silence = setTimeout(() => {
        failure = new Error(`the event socket was silent for ${EVENTS_SILENCE_MS / 1000} s`);
        ws.terminate();
      }, EVENTS_SILENCE_MS);
      silence.unref();
    };
    ws.on('open', () => {
      heard();
      ws.send(JSON.stringify({ type: 'resume', cursor }));
      on.open();
    });
    ws.on('ping', heard);
    ws.on('message', (data, isBinary) => {
      heard();
      let value: unknown;
      try {
        value = isBinary ? undefined : JSON.parse(data.toString());
      } catch {
        value = undefined;
      }
      const parsed = ServerMessage.safeParse(value);
      // A kind of event this client does not know (a newer server's): not for it to act on.
      if (!parsed.success && unknownEventType(value)) return;
      if (!parsed.success) {
        failure = new Error('unexpected message on the event socket; is this a Coffer server?');
        ws.terminate();
        return;
      }
      if (!done) on.message(parsed.data);
    });
    // A refused handshake (401, 403, 404…): the server's own words when it sent them.
    ws.on('unexpected-response', (_req, res) => {
      void readAll(res)
        .then((b) => apiErrorFrom(res.statusCode ?? 0, b.toString('utf8')), (e: unknown) => e as Error)
        .then((e) => {
          failure = e;
          ws.terminate();
        });
    });
    ws.on('error', (err) => (failure ??= err));
    ws.on('close', () => {
      clearTimeout(silence);
      if (done) return;
      done = true;
      on.closed(failure);
    });
    return {
      close: () => {
        if (ws.readyState === ws.CLOSED) return;
        ws.terminate();
      },
    };
  }

  close(): void {
    this.http.close();
  }
}

/** The event types the protocol this client was built with names. */
const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set(ServerMessage.options.map((o) => o.shape.type.value));

/** An event socket message of a type this client does not know. */
function unknownEventType(value: unknown): boolean {
  const type = (value as { type?: unknown } | null)?.type;
  return typeof type === 'string' && !KNOWN_EVENT_TYPES.has(type);
}

function unexpected(op: Operation, why: string): Error {
  return new Error(`unexpected answer from the server for ${op.method} ${op.path} (${why}); is this a Coffer server?`);
}
