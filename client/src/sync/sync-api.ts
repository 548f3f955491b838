/**
 * The part of the Coffer API the sync agent uses, as an interface: `CofferApi` implements it
 * over HTTPS, and the deterministic simulation (client/test/sim/) implements it with an
 * in-memory model of the server, so the agent's logic runs unchanged in both.
 *
 * Every method either answers the server's shape or throws: `ApiError` for an error answer
 * (status, code, details as the server sent them), any other error for a failed transport
 * (the request may or may not have been applied).
 */
import type { BlockEncoding, BatchCommitItem, ListBatchResult, MkdirBatchResult, BatchCommitResult, BlockListResult, ChangePage, CommitResult, PackStored, CommitRequest, DeleteRequest, FileView, LongPollAnswer, RevisionBlocksAnswer, ServerMessage, PackEntryOnWire } from '@coffer/protocol';

export type { CommitRequest };

/** An entry by path, or by id (an id names one entry whatever has been moved where since). */
export type EntryRef = { path: string } | { id: string };

/** A pack's blocks as part of a big new file while it uploads: its remote path, and where the first block starts (the rest follow). */
export interface PackAnnounce {
  file: string;
  /** The whole file's size. */
  size: number;
  offset: number;
}

/**
 * What a delete names besides its entry (the protocol's DeleteRequest): `rev`, to trash the entry
 * only while its head revision is this one (409 stale_revision otherwise); `recursive: false`, to
 * trash a folder only when it holds nothing live (409 not_empty otherwise; default true).
 */
export type DeleteCondition = Pick<DeleteRequest, 'rev' | 'recursive'>;

export interface SyncApi {
  /** The signed-in device. */
  me(): Promise<{ deviceId?: string }>;
  /** Absolute remote paths of the caller's view-only shares (mounted); absent: none. */
  readOnlyRoots?(): Promise<string[]>;
  /** The entry at `path`, or undefined (404). */
  stat(path: string): Promise<FileView | undefined>;
  metadata(path: string): Promise<FileView>;
  /** All of a folder's live children (every page). */
  list(path: string): Promise<FileView[]>;
  /** Many folders' first pages in one request, each answered on its own (issue 20). Absent (the simulation), or 404 from an older server: a request per folder. */
  listBatch?(paths: string[]): Promise<ListBatchResult[]>;
  mkdir(path: string, parents?: boolean): Promise<FileView>;
  /** Many folders in one request, each answered on its own (issue 20). Absent (the simulation), or 404 from an older server: one at a time. */
  mkdirBatch?(paths: string[], parents?: boolean): Promise<MkdirBatchResult[]>;
  move(from: EntryRef, to: string): Promise<FileView>;
  delete(ref: EntryRef, cond?: DeleteCondition): Promise<void>;
  /** `keep`: the question is a whole file's blocks in order, about to be committed: the server may
   *  keep it, and the commit of those blocks then names it instead of listing them (issue 21). */
  missingBlocks(hashes: string[], opts?: { keep?: boolean }): Promise<Set<string>>;
  putBlock(hash: string, bytes: Uint8Array): Promise<void>;
  /** A block compressed or as a delta (issue 21; transfer/wire-send.ts). Absent (the simulation): raw blocks only. */
  putBlockEncoded?(hash: string, body: Uint8Array, q: { encoding: BlockEncoding; size: number; base?: string }): Promise<void>;
  getBlock(hash: string): Promise<Uint8Array>;
  /** A block encoded for the download (issue 21; transfer/wire-fetch.ts decodes and checks it). Absent: raw blocks only. */
  getBlockEncoded?(hash: string, bases?: readonly string[]): Promise<{ encoding: string; size: number; body: Uint8Array }>;
  /** Asked in brief (`Prefer: return=minimal`); a server from before answers the whole entry. */
  commit(c: CommitRequest): Promise<CommitResult>;
  /** Batches (issue 20): many blocks in one request, many commits in one. Absent (the simulation): one file at a time.
   *  Packs are asked in brief (`Prefer: return=minimal`): undefined when the server answered 204. */
  putPack?(pack: Uint8Array): Promise<PackStored | undefined>;
  /** The same pack zstd-compressed whole (issue 21). Absent: packs go raw. */
  putPackEncoded?(body: Uint8Array): Promise<PackStored | undefined>;
  /** Blocks each raw, zstd or a delta in one request (issue 21, @coffer/protocol entry-pack.ts). Absent: a request per block. */
  /** `announce`: the pack's blocks are of the big new file `file` from `offset` on, while it uploads (the user's other devices hear of them: the `uploading` event). */
  putPackEntries?(entries: readonly PackEntryOnWire[], announce?: PackAnnounce): Promise<PackStored | undefined>;
  /** `pack`: the files' blocks inline, stored before they commit (issue 21: one request instead of three). */
  commitBatch?(files: BatchCommitItem[], pack?: Uint8Array): Promise<BatchCommitResult[]>;
  /** Restore in batches (issue 20): many files' block lists by id in one request, many blocks in one
   *  streamed answer (readable ones only, each verified). Absent (the simulation): a file at a time. */
  blockLists?(files: { id: string; rev?: number }[]): Promise<BlockListResult[]>;
  fetchBlocks?(hashes: string[]): AsyncIterable<{ hash: string; bytes: Uint8Array }>;
  /** A revision's ordered block list (the head when rev is omitted). */
  revisionBlocks(path: string, rev?: number): Promise<RevisionBlocksAnswer>;
  /** One page of the journal after `cursor`; ApiError 410 `reset` when it cannot be served. */
  changes(cursor: number, limit?: number): Promise<ChangePage>;
  changesLatest(): Promise<{ cursor: number }>;
  /** Answers when something follows `cursor`, or after about `timeoutS` seconds. */
  longpoll(cursor: number, timeoutS?: number): Promise<LongPollAnswer>;
  /** The websocket change feed (/api/v1/events), resumed after `cursor`. Absent (the simulation): long polls only. */
  events?(cursor: number, on: EventHandlers): EventFeed;
}

/** What the websocket feed reports; `closed` comes exactly once, whether or not `open` came. */
export interface EventHandlers {
  /** The handshake succeeded and the resume was sent. */
  open(): void;
  /** A message of the protocol's ServerMessage shape (anything else closes the feed). */
  message(m: ServerMessage): void;
  /** The socket closed or never opened; `err` says why when there was an error. */
  closed(err?: Error): void;
}

export interface EventFeed {
  close(): void;
}
