/** Sync on the wire (DESIGN §5): the change journal, presence, blocks by hash, commits from blocks. */
import { z } from 'zod';
import { MAX_BLOCK_BYTES, Sha256Hex, sha256Answer } from '../blocks.js';
import { count, id, int4, journalCursor, pageLimit, path, queryFlag, queryInt } from '../fields.js';
import { MAX_COMMIT_BLOCKS, MAX_MISSING_HASHES } from '../limits.js';
import { DEVICE_KINDS } from './account.js';
import { timestamp } from './common.js';
import { FileView } from './files.js';

export const JOURNAL_OPS = ['create', 'update', 'delete', 'restore', 'move', 'mkdir', 'pending', 'purge'] as const;
export type JournalOp = (typeof JOURNAL_OPS)[number];

/** A journal position in answers (a `seq`; 0: before the first). */
const cursorNumber = () => count();

export const ChangeEntry = z
  .object({
    seq: cursorNumber(),
    op: z.enum(JOURNAL_OPS),
    fileId: id().nullable(),
    rev: int4().nullable(),
    path: z.string().optional().register(z.globalRegistry, { description: 'Where the entry is after the change, when the change recorded it' }),
    name: z.string(),
    parentId: id().nullable().optional().register(z.globalRegistry, { description: 'The folder holding the entry after the change (null: the root); absent when not recorded' }),
    isDir: z.boolean().optional(),
    size: count().optional(),
    contentHash: sha256Answer().optional(),
    blocks: z
      .array(z.object({ hash: sha256Answer(), size: count() }))
      .optional()
      .register(z.globalRegistry, { description: 'A small version’s block list (at most MAX_CHANGE_BLOCKS blocks; issue 21), when its commit named it: its blocks can be fetched without asking for the list' }),
    modifiedAt: timestamp()
      .optional()
      .register(z.globalRegistry, { description: 'The version’s modification time (the device’s mtime), given with `blocks`' }),
    from: z.string().optional().register(z.globalRegistry, { description: 'A move’s old path' }),
    oldParentId: id().nullable().optional().register(z.globalRegistry, { description: 'A move’s old folder' }),
    deviceId: id().nullable(),
    at: timestamp(),
  })
  .register(z.globalRegistry, { id: 'ChangeEntry', description: 'One change as devices see it; path and details as they were at the time.' });
export type ChangeEntry = z.infer<typeof ChangeEntry>;

export const ChangePage = z
  .object({
    entries: z.array(ChangeEntry),
    cursor: cursorNumber().register(z.globalRegistry, { description: 'Pass it back to continue (unchanged when there was no entry)' }),
    has_more: z.boolean(),
  })
  .register(z.globalRegistry, { id: 'ChangePage' });
export type ChangePage = z.infer<typeof ChangePage>;

export const LatestCursor = z.object({ cursor: cursorNumber().register(z.globalRegistry, { description: 'The newest entry’s seq (0: none)' }) });

export const ChangesQuery = z.object({ cursor: journalCursor().default(0), limit: pageLimit(2000, 500) });
export const LongpollQuery = z.object({ cursor: journalCursor(), timeout: queryInt(30, 480).default(60) });

export const LongPollAnswer = z
  .object({
    changes: z.boolean(),
    events: z.literal(true).optional().register(z.globalRegistry, { description: 'An event (e.g. a notification) was published to the user meanwhile' }),
    backoff: int4(1).optional().register(z.globalRegistry, { description: 'Seconds to wait before polling again' }),
  })
  .register(z.globalRegistry, { id: 'LongPollAnswer' });
export type LongPollAnswer = z.infer<typeof LongPollAnswer>;

export const PresenceDevice = z
  .object({ id: id(), name: z.string(), kind: z.enum(DEVICE_KINDS), online: z.boolean(), lastSeenAt: timestamp(), cursor: cursorNumber() })
  .register(z.globalRegistry, { id: 'PresenceDevice' });
export const PresenceList = z.object({ devices: z.array(PresenceDevice) });

export const MissingRequest = z.strictObject({ hashes: z.array(Sha256Hex).max(MAX_MISSING_HASHES) });
export const MissingQuery = z.object({
  keep: queryFlag()
    .optional()
    .register(z.globalRegistry, {
      description: "'1': the server keeps the hashes asked about (at most 1,000), in order, for a few minutes and answers `list`: a commit of exactly these blocks may name it (`blockList`) instead of listing them again",
    }),
  answer: z
    .enum(['hashes', 'bits'])
    .optional()
    .register(z.globalRegistry, { description: "'bits': answer `missingBits` instead of `missing` (@coffer/protocol missing-bits.ts); default 'hashes'" }),
});
/** The id of a question the server keeps (MissingQuery.keep): 16 base64url characters. */
export const KeptListId = z.string().regex(/^[A-Za-z0-9_-]{16}$/, 'a kept list id is 16 base64url characters');
const keptList = () => KeptListId.optional().register(z.globalRegistry, { description: 'With `keep=1`: the id a commit of these blocks may name (`blockList.id`)' });

export const MissingAnswer = z.union([
  z.object({ missing: z.array(sha256Answer()).register(z.globalRegistry, { description: 'Each once, in the order asked' }), list: keptList() }),
  z.object({
    list: keptList(),
    missingBits: z
      .string()
      .regex(/^[A-Za-z0-9+/]*={0,2}$/)
      .register(z.globalRegistry, { description: 'With `answer=bits`: base64 of one bit per hash asked, in order (bit i of byte i >> 3, lowest first), set when missing' }),
  }),
]);

export const BlockParams = z.object({ sha256: Sha256Hex });

export const BlockStored = z
  .object({
    hash: sha256Answer(),
    size: int4(1),
    stored: z.boolean().register(z.globalRegistry, { description: 'false when the namespace already had the block' }),
  })
  .register(z.globalRegistry, { id: 'BlockStored' });

/** One block of a version, in file order. */
export const BlockRef = z.object({ hash: sha256Answer(), size: int4(1) }).register(z.globalRegistry, { id: 'BlockRef' });
export type BlockRef = z.infer<typeof BlockRef>;

export const RevisionBlocks = z
  .object({ rev: int4(1), size: count(), contentHash: sha256Answer(), blocks: z.array(BlockRef).register(z.globalRegistry, { description: 'In file order' }) })
  .register(z.globalRegistry, { id: 'RevisionBlocks', description: 'A revision’s ordered block list, for delta downloads through GET /blocks/{sha256}.' });
export type RevisionBlocks = z.infer<typeof RevisionBlocks>;

/** Beside a block list: the file's own modification time, given when the revision asked for is its head (a download sets it; no second request for it). */
export const headModifiedAt = () =>
  timestamp().optional().register(z.globalRegistry, { description: 'The file’s modification time, given when the revision asked for is its head' });

/** GET /revisions/blocks: the list, with headModifiedAt. */
export const RevisionBlocksAnswer = RevisionBlocks.extend({ modifiedAt: headModifiedAt() }).register(z.globalRegistry, { id: 'RevisionBlocksAnswer' });
export type RevisionBlocksAnswer = z.infer<typeof RevisionBlocksAnswer>;

const commitBlocks = () => z.array(z.strictObject({ hash: Sha256Hex, size: int4(1).max(MAX_BLOCK_BYTES) })).max(MAX_COMMIT_BLOCKS);
const commitFields = {
  path: path(),
  size: count(),
  baseRev: int4().nullable().register(z.globalRegistry, { description: 'The revision this replaces; null: a new file' }),
    fileId: id().optional().register(z.globalRegistry, { description: 'With `baseRev`: the entry that revision belongs to' }),
    overwrite: z.boolean().optional(),
    onConflict: z.enum(['fail', 'copy']).optional().register(z.globalRegistry, { description: "Default 'fail'" }),
    mtime: z
      .union([z.iso.datetime({ offset: true }), z.number().int().min(0).max(8.64e15)])
      .optional()
      .register(z.globalRegistry, { description: 'The file’s modification time: ISO 8601 with a zone, or milliseconds since 1970' }),
};
const fileIdWithBase = (b: { fileId?: string | undefined; baseRev: number | null }) => b.fileId === undefined || b.baseRev !== null;
const fileIdWithBaseIssue = () => ({ message: 'fileId names the entry baseRev belongs to: give baseRev with it', path: ['fileId'] });

/** A commit as a client makes it: the file's block list in full. */
export const CommitRequest = z
  .strictObject({ ...commitFields, blocks: commitBlocks() })
  .refine(fileIdWithBase, fileIdWithBaseIssue())
  .register(z.globalRegistry, { id: 'CommitRequest' });
export type CommitRequest = z.input<typeof CommitRequest>;

/** A question the server keeps (MissingQuery.keep) named instead of the hashes it asked about (issue 21: ~550 bytes less for a 17 MiB file). */
export const CommitBlockList = z
  .strictObject({
    id: KeptListId,
    sizes: z.array(int4(1).max(MAX_BLOCK_BYTES)).max(MAX_COMMIT_BLOCKS).register(z.globalRegistry, { description: 'Each block’s size, in the order the hashes were asked' }),
  })
  .register(z.globalRegistry, { id: 'CommitBlockList' });

/** POST /files/commit's body: the blocks listed (`blocks`), or named by a kept question (`blockList`). */
export const CommitOnWire = z
  .strictObject({
    ...commitFields,
    blocks: commitBlocks().optional().register(z.globalRegistry, { description: 'The file’s blocks in order (or `blockList`)' }),
    blockList: CommitBlockList.optional().register(z.globalRegistry, {
      description: 'Instead of `blocks`: a kept question (POST /blocks/missing?keep=1) whose hashes are the file’s blocks in order; 409 `block_list_unknown` when the server no longer has it (send `blocks`)',
    }),
  })
  .refine(fileIdWithBase, fileIdWithBaseIssue())
  .refine((b) => (b.blocks === undefined) !== (b.blockList === undefined), { message: 'give the blocks (blocks) or a kept list (blockList), one of them', path: ['blocks'] })
  .register(z.globalRegistry, { id: 'CommitOnWire' });
export type CommitOnWire = z.input<typeof CommitOnWire>;

export const CommitAnswer = FileView.extend({
  conflict: z.boolean().register(z.globalRegistry, { description: 'true: the content went to a conflicted copy (this entry)' }),
  original: z
    .object({ id: id().nullable(), path: z.string(), rev: int4() })
    .optional()
    .register(z.globalRegistry, { description: 'Where the content would have gone; `id` null when no entry is at that path any more' }),
}).register(z.globalRegistry, { id: 'CommitAnswer', description: 'The committed file, or its conflicted copy.' });
export type CommitAnswer = z.infer<typeof CommitAnswer>;

/**
 * A commit's answer when the request says `Prefer: return=minimal` (issue 21): what a sync client
 * records — the entry, its path as stored, revision, size and time, and with a conflicted copy where
 * the content would have gone — ~130 bytes instead of the whole entry's ~380.
 */
export const CommitBrief = CommitAnswer.pick({ id: true, path: true, rev: true, size: true, modifiedAt: true, conflict: true, original: true }).register(z.globalRegistry, {
  id: 'CommitBrief',
  description: 'The committed file (or its conflicted copy) in brief: the answer to `Prefer: return=minimal`.',
});
export type CommitBrief = z.infer<typeof CommitBrief>;

/** A commit's answer, whole or brief: a client that asked for the brief one gets the whole from a server from before. */
export const CommitResult = z.union([CommitAnswer, CommitBrief]);
export type CommitResult = z.infer<typeof CommitResult>;

/** The whole answer, for a client that never asks in brief (the web app shows the entry): a brief one there is a server's mistake. */
export function wholeCommit(a: CommitResult): CommitAnswer {
  if (!('name' in a)) throw new Error('the server answered a commit in brief, which was not asked for');
  return a;
}
