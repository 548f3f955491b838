/** Batches on the wire (issue 20): a pack of blocks, a batch of commits. Which blocks of many files are missing is one POST /blocks/missing. */
import { operation } from '../operation.js';
import { MAX_BATCH_BODY_BYTES, MAX_PACK_BYTES } from '../limits.js';
import { BatchCommitAnswer, BatchCommitRequest, MkdirBatchAnswer, MkdirBatchRequest, PackStored } from '../shapes/batch.js';

export const putPack = operation({
  id: 'putPack',
  method: 'POST',
  path: '/blocks/pack',
  tag: 'sync',
  summary: 'Upload many blocks in one request: a pack (`CFP1`, then per block its SHA-256, 4-byte big-endian length, bytes)',
  description:
    `At most MAX_PACK_BYTES (${MAX_PACK_BYTES}) bytes and MAX_PACK_BLOCKS entries. The whole pack is read and every entry verified before anything is stored: ` +
    '400 `invalid_pack` (bad header, an entry cut short, a length of 0 or over MAX_BLOCK_BYTES), `hash_mismatch` (details name the entry) store nothing; ' +
    '413 `payload_too_large`; 507 `quota_exceeded` when the new blocks do not fit (blocks reserved before it stay so). Blocks count against the quota as with PUT /blocks/{sha256}.',
  auth: 'user',
  body: { raw: 'application/octet-stream', description: 'The pack' },
  headers: { Prefer: { description: '`return=minimal`: answered 204 without a body', example: 'return=minimal' } },
  answers: { 200: { description: 'Every block of the pack is on the server', json: PackStored }, 204: { description: 'Every block of the pack is on the server (asked with `Prefer: return=minimal`: no body)' } },
  errors: [400, 413, 507],
});

export const commitBatch = operation({
  id: 'commitBatch',
  method: 'POST',
  path: '/files/commit/batch',
  tag: 'sync',
  summary: 'Commit many files from blocks already uploaded, in one transaction, each file answered on its own',
  description:
    'Each file is what `POST /files/commit` takes and succeeds or fails alone (`results[i].error` is what that would have answered: ' +
    '409 `stale_revision`/`exists`, 400 `invalid_name`/`missing_blocks`, 507 `quota_exceeded`…); the files that succeed commit together, ' +
    'in one transaction, before the answer is sent. A malformed request (not a list of such files, more than MAX_BATCH_FILES files or ' +
    'MAX_BATCH_BLOCKS block references) is 400 and commits nothing. With `Prefer: return=minimal` each committed file is answered in brief (`CommitBrief`).',
  auth: 'user',
  headers: { Prefer: { description: '`return=minimal`: each committed file answered in brief (`CommitBrief`)', example: 'return=minimal' } },
  body: { json: BatchCommitRequest, maxBytes: MAX_BATCH_BODY_BYTES },
  answers: { 200: { description: 'One result per file, in order', json: BatchCommitAnswer } },
});

export const mkdirBatch = operation({
  id: 'mkdirBatch',
  method: 'POST',
  path: '/mkdir/batch',
  tag: 'files',
  summary: 'Create many folders in one request and one transaction, each answered on its own',
  description:
    'Each path is made as `POST /mkdir` would make it, in the order sent, and succeeds or fails alone (`results[i].error` is what that would have answered: ' +
    '409 `name_taken`/`parent_not_folder`, 404 `parent_not_found` without `parents`, 400 `invalid_name`…); the folders that succeed are made together ' +
    'before the answer is sent. A malformed request (not a list of 1 to MAX_BATCH_FILES paths) is 400 and makes nothing.',
  auth: 'user',
  body: { json: MkdirBatchRequest },
  answers: { 200: { description: 'One result per path, in order', json: MkdirBatchAnswer } },
});
