/** Operations of sync (DESIGN §5): the change journal, presence, delta sync's blocks and commits, the inbox. */
import { operation } from '../operation.js';
import { MAX_COMMIT_BODY_BYTES, MAX_MISSING_BODY_BYTES } from '../limits.js';
import { MarkReadAnswer, MarkReadRequest, NotificationPage, NotificationsQuery } from '../shapes/notifications.js';
import {
  BlockParams,
  BlockStored,
  ChangePage,
  ChangesQuery,
  CommitResult,
  CommitOnWire,
  LatestCursor,
  LongPollAnswer,
  LongpollQuery,
  MissingAnswer,
  MissingQuery,
  MissingRequest,
  PresenceList,
} from '../shapes/sync.js';

const OCTETS = 'application/octet-stream';
const badHash = { status: 400, code: 'invalid_hash', message: 'not a SHA-256 (64 hex digits)' } as const;

export const listChanges = operation({
  id: 'listChanges',
  method: 'GET',
  path: '/changes',
  tag: 'sync',
  summary: 'Changes in the caller’s namespace after a cursor, oldest first',
  description:
    'Paths and details are as they were at the time of each change. A device token’s cursor is recorded (presence). ' +
    '410 `reset` (`details.latestCursor`) when the cursor is older than the journal keeps or ahead of it.',
  auth: 'user',
  query: ChangesQuery,
  answers: { 200: { description: 'One page of changes', json: ChangePage } },
  errors: [410],
});

export const latestCursor = operation({
  id: 'latestCursor',
  method: 'GET',
  path: '/changes/latest',
  tag: 'sync',
  summary: 'The cursor of “now” (list the tree, then follow changes from here)',
  auth: 'user',
  answers: { 200: { description: 'The newest entry’s seq (0: none)', json: LatestCursor } },
});

export const longpollChanges = operation({
  id: 'longpollChanges',
  method: 'GET',
  path: '/changes/longpoll',
  tag: 'sync',
  summary: 'Wait until something changes after the cursor (or an event arrives), at most `timeout` seconds',
  description:
    'Answers only *whether* to look (up to 10% before the timeout: jitter); then read GET /changes from the cursor. ' +
    '`backoff`: seconds to wait before polling again. 410 `reset`.',
  auth: 'user',
  query: LongpollQuery,
  answers: { 200: { description: 'Something changed, or the timeout passed', json: LongPollAnswer } },
  errors: [410],
});

export const presence = operation({
  id: 'presence',
  method: 'GET',
  path: '/presence',
  tag: 'sync',
  summary: 'The caller’s devices: which are online (a long poll or websocket on any instance) and how far each has synced',
  auth: 'user',
  answers: { 200: { description: 'Devices', json: PresenceList } },
});

export const missingBlocks = operation({
  id: 'missingBlocks',
  method: 'POST',
  path: '/blocks/missing',
  tag: 'sync',
  summary: 'Which of these block hashes the server lacks (per namespace: upload only those)',
  description:
    'With `answer=bits`, one bit per hash asked (`missingBits`) instead of the missing hashes themselves. With `keep=1` the server keeps the hashes asked, in order, ' +
    'for a few minutes and answers their `list` id: a commit of exactly these blocks names it (`blockList`) instead of listing the hashes again.',
  auth: 'user',
  query: MissingQuery,
  body: { json: MissingRequest, maxBytes: MAX_MISSING_BODY_BYTES },
  answers: { 200: { description: 'The hashes to upload', json: MissingAnswer } },
});

export const putBlock = operation({
  id: 'putBlock',
  method: 'PUT',
  path: '/blocks/{sha256}',
  tag: 'sync',
  summary: 'Upload one block (the body’s SHA-256 must be the hash in the path)',
  description:
    'A block in no committed file counts against the quota from the moment it is stored (`reservedBytes` of `/me`) until a commit uses it ' +
    'or its reservation expires (the GC grace period); 507 `quota_exceeded`, storing nothing, when it does not fit. ' +
    '400 `hash_mismatch` (nothing stored), `empty_block`, `invalid_hash`; 413 `block_too_large`.',
  auth: 'user',
  params: BlockParams,
  badParams: badHash,
  body: { raw: OCTETS, description: 'The block’s bytes, at most MAX_BLOCK_BYTES' },
  answers: {
    201: { description: 'Stored', json: BlockStored },
    200: { description: 'Already there', json: BlockStored },
  },
  errors: [413, 507],
});

export const getBlock = operation({
  id: 'getBlock',
  method: 'GET',
  path: '/blocks/{sha256}',
  tag: 'sync',
  summary: 'One block’s plaintext, by hash (only blocks of files the caller can read)',
  description: '404 `block_not_found` unless a version of a file the caller may read has it.',
  auth: 'user',
  params: BlockParams,
  badParams: badHash,
  headers: { 'If-None-Match': { description: 'The block’s ETag → 304' } },
  answers: {
    200: { description: 'The block; immutable, cacheable forever', bytes: OCTETS, headers: { ETag: { description: '`"sha256"`' } } },
    304: { description: 'Not modified', headers: { ETag: { description: '`"sha256"`' } } },
  },
  errors: [404],
});

export const commitFromBlocks = operation({
  id: 'commitFromBlocks',
  method: 'POST',
  path: '/files/commit',
  tag: 'sync',
  summary: 'Commit a new version of a file from blocks already uploaded',
  description:
    '400 `missing_blocks` (`details.missing`), `size_mismatch`, `block_size_mismatch`. A stale `baseRev` (someone else committed first) ' +
    'is 409 `stale_revision`/`exists` with `details.current` (`{id,rev,size,contentHash}` of the entry at the path; id null and rev 0 when none), ' +
    'or with `onConflict: "copy"` the content becomes `name (conflicted copy from DEVICE YYYY-MM-DD).ext` (numbered when taken) ' +
    'and the answer says `conflict: true` with `original`. With `fileId`, another entry at `path` (or none: the file was deleted ' +
    'or moved away) loses the same way. With `Prefer: return=minimal` the answer is in brief (`CommitBrief`: what a sync client records). ' +
    'The blocks may be named by a question the server kept (`blockList`, from POST /blocks/missing?keep=1) instead of listed: 409 `block_list_unknown` when it is gone (forgotten after a few minutes, or asked of another server process): send `blocks` then.',
  auth: 'user',
  headers: { Prefer: { description: '`return=minimal`: each committed file answered in brief (`CommitBrief`)', example: 'return=minimal' } },
  body: { json: CommitOnWire, maxBytes: MAX_COMMIT_BODY_BYTES },
  answers: { 201: { description: 'The committed file (or its conflicted copy); brief (`CommitBrief`) with `Prefer: return=minimal`', json: CommitResult } },
  errors: [404, 409, 507],
});

export const listNotifications = operation({
  id: 'listNotifications',
  method: 'GET',
  path: '/notifications',
  tag: 'notifications',
  summary: 'The caller’s notification inbox, newest first',
  description: 'Also pushed live over the websocket as `{type: "notification", notification}`. 400 `invalid_cursor`.',
  auth: 'user',
  query: NotificationsQuery,
  answers: { 200: { description: 'One page; `cursor` when more follow', json: NotificationPage } },
});

export const markNotificationsRead = operation({
  id: 'markNotificationsRead',
  method: 'POST',
  path: '/notifications/read',
  tag: 'notifications',
  summary: 'Mark notifications as read: these `ids`, or `all: true`',
  auth: 'user',
  body: { json: MarkReadRequest },
  answers: { 200: { description: 'How many changed', json: MarkReadAnswer } },
});
