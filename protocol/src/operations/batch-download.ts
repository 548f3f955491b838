/** Restore in batches (issue 20): many files' block lists in one request, many blocks in one streamed pack. */
import { operation } from '../operation.js';
import { MAX_BATCH_FILES, MAX_FETCH_BLOCKS, MAX_FETCH_BODY_BYTES, MAX_FETCH_BYTES, MAX_LIST_BATCH_ENTRIES, MAX_LIST_BATCH_FOLDERS } from '../limits.js';
import { BlockListsAnswer, BlockListsRequest, FetchBlocksRequest, ListBatchAnswer, ListBatchRequest } from '../shapes/batch-download.js';

export const fetchBlocks = operation({
  id: 'fetchBlocks',
  method: 'POST',
  path: '/blocks/fetch',
  tag: 'sync',
  summary: 'Many blocks’ plaintext in one streamed answer: a pack (`CFP1`, per block its SHA-256, 4-byte big-endian length, bytes), ended by 36 zero bytes',
  description:
    `At most MAX_FETCH_BLOCKS (${MAX_FETCH_BLOCKS}) hashes. Each block the caller may read (as for GET /blocks/{sha256}: a version of a file ` +
    'the caller can read has it) comes once, in the order first asked; a hash the caller may not read is left out exactly like one that does not exist. ' +
    `413 \`fetch_too_large\` when the readable blocks add up to more than MAX_FETCH_BYTES (${MAX_FETCH_BYTES}): ask for fewer. ` +
    'The end entry (32 zero bytes, length 0) closes the body: an answer without it was cut short. Check each block against its hash.',
  auth: 'user',
  body: { json: FetchBlocksRequest, maxBytes: MAX_FETCH_BODY_BYTES },
  answers: { 200: { description: 'The readable blocks, as a pack ended by PACK_END', bytes: 'application/octet-stream' } },
  errors: [413],
});

export const revisionBlocksBatch = operation({
  id: 'revisionBlocksBatch',
  method: 'POST',
  path: '/revisions/blocks/batch',
  tag: 'revisions',
  summary: 'Many files’ block lists (by id and revision) in one request, each answered on its own',
  description:
    `At most MAX_BATCH_FILES (${MAX_BATCH_FILES}) files. \`results[i].error\` is what GET /revisions/blocks would have answered for that file ` +
    '(404 `not_found` also for a file the caller may not read, 409 `is_folder`, 404 for a revision it does not have).',
  auth: 'user',
  body: { json: BlockListsRequest },
  answers: { 200: { description: 'One result per file, in order', json: BlockListsAnswer } },
});

export const listBatch = operation({
  id: 'listBatch',
  method: 'POST',
  path: '/list/batch',
  tag: 'files',
  summary: 'Many folders’ first pages in one request (a new device listing a tree), each answered on its own',
  description:
    `At most MAX_LIST_BATCH_FOLDERS (${MAX_LIST_BATCH_FOLDERS}) folders. \`results[i]\` is what GET /list (sorted by name, ascending) would answer for that path, ` +
    `with a page of \`limit\` entries (default 200; at most MAX_LIST_BATCH_ENTRIES (${MAX_LIST_BATCH_ENTRIES}) divided by the number of folders): ` +
    'its `cursor`, when more follow, goes to GET /list with the same path. `results[i].error` is what GET /list would have refused with ' +
    '(404 `not_found`, 409 `not_a_folder`, 400 for a path that does not parse).',
  auth: 'user',
  body: { json: ListBatchRequest },
  answers: { 200: { description: 'One result per folder, in order', json: ListBatchAnswer } },
});
