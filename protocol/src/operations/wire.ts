/** Blocks encoded on the wire (issue 21): compressed, or a delta against a block the server has. */
import { operation } from '../operation.js';
import { BlockParams, BlockStored } from '../shapes/sync.js';
import { PackStored } from '../shapes/batch.js';
import { EncodedBlockQuery, EncodedPackQuery } from '../shapes/wire.js';
import { MAX_PACK_BYTES } from '../limits.js';

export const putBlockEncoded = operation({
  id: 'putBlockEncoded',
  method: 'PUT',
  path: '/blocks/{sha256}/encoded',
  tag: 'sync',
  summary: 'Upload one block compressed (`encoding=zstd`) or as a delta against a block the server has (`encoding=zstd-delta&base=SHA256`)',
  description:
    'The body is zstd frames; with `zstd-delta` the compressor was given the whole plaintext of block `base` as a raw-content dictionary ' +
    '(`zstd --patch-from`), and `base` must be a block of a file the caller may read, else 404 `base_not_found` (send it as `zstd` then). ' +
    'The server decodes into at most `size` bytes (the plaintext length, ≤ MAX_BLOCK_BYTES): a body that decodes to more, to less, or not at all ' +
    'is 400 `invalid_encoding`; then, as with PUT /blocks/{sha256}: 400 `hash_mismatch` (nothing stored), 507 `quota_exceeded`. ' +
    'A server without this route answers 404: the client then sends raw blocks to PUT /blocks/{sha256}.',
  auth: 'user',
  params: BlockParams,
  badParams: { status: 400, code: 'invalid_hash', message: 'not a SHA-256 (64 hex digits)' },
  query: EncodedBlockQuery,
  body: { raw: 'application/zstd', description: 'The encoded block, at most MAX_BLOCK_BYTES' },
  answers: {
    201: { description: 'Stored', json: BlockStored },
    200: { description: 'Already there', json: BlockStored },
  },
  errors: [404, 413, 507],
});

export const putPackEncoded = operation({
  id: 'putPackEncoded',
  method: 'POST',
  path: '/blocks/pack/encoded',
  tag: 'sync',
  summary: 'Upload a pack of blocks (as POST /blocks/pack takes) compressed whole with zstd (`encoding=zstd`)',
  description:
    `The server decodes into at most MAX_PACK_BYTES (${MAX_PACK_BYTES}) bytes: a body that decodes to more, or not at all, is 400 \`invalid_encoding\` and stores nothing; ` +
    'then everything is as with POST /blocks/pack. A server without this route answers 404: the client then sends the pack raw to POST /blocks/pack.',
  auth: 'user',
  query: EncodedPackQuery,
  body: { raw: 'application/zstd', description: 'The pack, zstd-compressed, at most MAX_PACK_BYTES' },
  answers: { 200: { description: 'Every block of the pack is on the server', json: PackStored } },
  errors: [400, 413, 507],
});
