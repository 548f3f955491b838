/** Blocks encoded on the wire (issue 21): compressed, or a delta against a block the server has. */
import { operation } from '../operation.js';
import { BlockParams, BlockStored } from '../shapes/sync.js';
import { PackStored } from '../shapes/batch.js';
import { BLOCK_ENCODING_HEADER, BLOCK_SIZE_HEADER, EncodedBlockQuery, EncodedFetchQuery, EncodedPackQuery, PackEntriesQuery } from '../shapes/wire.js';
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
  headers: { Prefer: { description: '`return=minimal`: answered 204 without a body', example: 'return=minimal' } },
  answers: { 200: { description: 'Every block of the pack is on the server', json: PackStored }, 204: { description: 'Every block of the pack is on the server (asked with `Prefer: return=minimal`: no body)' } },
  errors: [400, 413, 507],
});

export const getBlockEncoded = operation({
  id: 'getBlockEncoded',
  method: 'GET',
  path: '/blocks/{sha256}/encoded',
  tag: 'sync',
  summary: 'One block’s bytes encoded for the wire: a zstd delta against blocks the caller names (`base`), else zstd, else raw',
  description:
    `The answer's \`${BLOCK_ENCODING_HEADER}\` says how the body encodes the block: \`zstd-delta\` (zstd with the plaintexts of the \`base\` blocks, ` +
    'joined in the order named, as raw-content dictionary), `zstd`, or `identity` (the plaintext, when encoding saves too little); ' +
    `\`${BLOCK_SIZE_HEADER}\` is the plaintext length, the client's bound when it decodes; it then checks the SHA-256. ` +
    '404 `block_not_found` unless a file the caller may read has the block; 404 `base_not_found` when a base is not (fetch without `base` then). ' +
    'A server without this route answers 404 `not_found`: the client then uses GET /blocks/{sha256}.',
  auth: 'user',
  params: BlockParams,
  badParams: { status: 400, code: 'invalid_hash', message: 'not a SHA-256 (64 hex digits)' },
  query: EncodedFetchQuery,
  answers: {
    200: {
      description: 'The block, encoded as the headers say',
      bytes: 'application/octet-stream',
      headers: { [BLOCK_ENCODING_HEADER]: { description: '`zstd-delta`, `zstd` or `identity`' }, [BLOCK_SIZE_HEADER]: { description: 'The plaintext length in bytes' } },
    },
  },
  errors: [404],
});

export const putPackEntries = operation({
  id: 'putPackEntries',
  method: 'POST',
  path: '/blocks/pack/entries',
  tag: 'sync',
  summary: 'Upload many blocks in one request, each raw, zstd, or a zstd delta against blocks the server has (`CFE1` or lean `CFE2` entry pack)',
  description:
    'CFE1, per entry: SHA-256 (32 bytes), plaintext size (u32 BE), encoding (u8: 0 raw, 1 zstd, 2 zstd-delta), number of bases (u8), the bases (32 bytes each), ' +
    'body length (u32 BE), body. CFE2 (lean), per entry: one byte (encoding in bits 0-1, number of bases above), plaintext size (unsigned LEB128), the bases, ' +
    'body length (LEB128; absent when raw), body — no SHA-256: the block is what the entry decodes to. ' +
    `At most MAX_PACK_BYTES (${MAX_PACK_BYTES}) bytes, MAX_PACK_BLOCKS entries, and plaintexts adding up to at most MAX_PACK_BYTES. ` +
    'Each entry is decoded as PUT /blocks/{sha256}/encoded decodes it and checked against its SHA-256 before anything is stored: 400 `invalid_pack`, ' +
    '`invalid_encoding` or `hash_mismatch` (details name the entry) and 404 `base_not_found` store nothing; then as POST /blocks/pack (507 `quota_exceeded`). ' +
    'A server without this route answers 404: the client then sends each block on its own. ' +
    'With `file` and `offset` (a big new file, while it uploads), once stored the blocks are announced to the user\'s other connections ' +
    '(the `uploading` event), which may fetch them before the commit: blocks the caller\'s own namespace stored for a commit still to come are readable to the caller.',
  auth: 'user',
  query: PackEntriesQuery,
  body: { raw: 'application/octet-stream', description: 'The entry pack, at most MAX_PACK_BYTES' },
  headers: { Prefer: { description: '`return=minimal`: answered 204 without a body', example: 'return=minimal' } },
  answers: { 200: { description: 'Every block of the pack is on the server', json: PackStored }, 204: { description: 'Every block of the pack is on the server (asked with `Prefer: return=minimal`: no body)' } },
  errors: [400, 404, 413, 507],
});
