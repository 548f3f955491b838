/**
 * Paths of sync (DESIGN §5): the change journal (pages, head, long poll), presence, delta sync's
 * blocks by hash and commits from blocks, and the notification inbox. The same changes and
 * events are also pushed over the websocket at /api/v1/events (not an HTTP operation).
 */
import { body, errors, json, op, schema, type Json } from './helpers.js';

const sha256 = { type: 'string', pattern: '^[0-9a-fA-F]{64}$', description: 'SHA-256 of the block’s plaintext, 64 hex digits (any case)' };
const hashParam: Json = { name: 'sha256', in: 'path', required: true, schema: sha256 };
const bytes = { type: 'string', contentMediaType: 'application/octet-stream' };
const blockResult: Json = {
  type: 'object',
  required: ['hash', 'size', 'stored'],
  properties: {
    hash: { type: 'string' },
    size: { type: 'integer', minimum: 1 },
    stored: { type: 'boolean', description: 'false when the namespace already had the block' },
  },
};

const cursorParam = (required: boolean): Json => ({
  name: 'cursor',
  in: 'query',
  required,
  schema: { type: 'string', pattern: '^[0-9]{1,15}$', ...(required ? {} : { default: '0' }) },
  description: 'The decimal cursor a previous answer gave (0: from the start)',
});

export const syncPaths: Record<string, Json> = {
  '/changes': {
    get: op({
      tag: 'sync',
      operationId: 'listChanges',
      summary: 'Changes in the caller’s namespace after a cursor, oldest first',
      description: 'Paths and details are as they were at the time of each change. A device token’s cursor is recorded (presence).',
      parameters: [cursorParam(false), { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 2000, default: 500 } }],
      responses: {
        '200': json(
          {
            type: 'object',
            required: ['entries', 'cursor', 'has_more'],
            properties: {
              entries: { type: 'array', items: schema('ChangeEntry') },
              cursor: { type: 'integer', description: 'Pass it back to continue' },
              has_more: { type: 'boolean' },
            },
          },
          'One page of changes',
        ),
        ...errors(400, 410),
      },
    }),
  },
  '/changes/latest': {
    get: op({
      tag: 'sync',
      operationId: 'latestCursor',
      summary: 'The cursor of “now” (list the tree, then follow changes from here)',
      responses: { '200': json({ type: 'object', required: ['cursor'], properties: { cursor: { type: 'integer' } } }, 'The newest entry’s seq (0: none)') },
    }),
  },
  '/changes/longpoll': {
    get: op({
      tag: 'sync',
      operationId: 'longpollChanges',
      summary: 'Wait until something changes after the cursor (or an event arrives), at most `timeout` seconds',
      description: 'Answers only *whether* to look; then read GET /changes from the cursor. `backoff`: seconds to wait before polling again.',
      parameters: [cursorParam(true), { name: 'timeout', in: 'query', required: false, schema: { type: 'integer', minimum: 30, maximum: 480, default: 60 } }],
      responses: {
        '200': json(
          {
            type: 'object',
            required: ['changes'],
            properties: { changes: { type: 'boolean' }, events: { const: true }, backoff: { type: 'integer', minimum: 1 } },
          },
          'Something changed, or the timeout passed',
        ),
        ...errors(400, 410),
      },
    }),
  },
  '/presence': {
    get: op({
      tag: 'sync',
      operationId: 'presence',
      summary: 'The caller’s devices: which are online and how far each has synced',
      responses: {
        '200': json(
          {
            type: 'object',
            required: ['devices'],
            properties: {
              devices: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['id', 'name', 'kind', 'online', 'lastSeenAt', 'cursor'],
                  properties: {
                    id: { type: 'string', format: 'uuid' },
                    name: { type: 'string' },
                    kind: { type: 'string' },
                    online: { type: 'boolean' },
                    lastSeenAt: { type: 'string', format: 'date-time' },
                    cursor: { type: 'integer' },
                  },
                },
              },
            },
          },
          'Devices',
        ),
      },
    }),
  },
  '/blocks/missing': {
    post: op({
      tag: 'sync',
      operationId: 'missingBlocks',
      summary: 'Which of these block hashes the server lacks (per namespace: upload only those)',
      unsafe: true,
      requestBody: body({
        type: 'object',
        required: ['hashes'],
        additionalProperties: false,
        properties: { hashes: { type: 'array', items: sha256, maxItems: 10_000 } },
      }),
      responses: {
        '200': json({ type: 'object', required: ['missing'], properties: { missing: { type: 'array', items: { type: 'string' } } } }, 'The hashes to upload'),
        ...errors(400),
      },
    }),
  },
  '/blocks/{sha256}': {
    put: op({
      tag: 'sync',
      operationId: 'putBlock',
      summary: 'Upload one block (the body’s SHA-256 must be the hash in the path)',
      description:
        'A block in no committed file counts against the quota from the moment it is stored (`reservedBytes` of `/me`) until a commit uses it ' +
        'or its reservation expires (the GC grace period); 507 `quota_exceeded`, storing nothing, when it does not fit.',
      unsafe: true,
      parameters: [hashParam],
      requestBody: { required: true, content: { 'application/octet-stream': { schema: bytes } } },
      responses: {
        '201': json(blockResult, 'Stored'),
        '200': json(blockResult, 'Already there'),
        ...errors(400, 413, 503, 507),
      },
    }),
    get: op({
      tag: 'sync',
      operationId: 'getBlock',
      summary: 'One block’s plaintext, by hash (only blocks of files the caller can read)',
      parameters: [hashParam, { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } }],
      responses: {
        '200': {
          description: 'The block; immutable, cacheable forever',
          headers: { ETag: { schema: { type: 'string' } } },
          content: { 'application/octet-stream': { schema: bytes } },
        },
        '304': { description: 'Not modified' },
        ...errors(400, 404, 503),
      },
    }),
  },
  '/files/commit': {
    post: op({
      tag: 'sync',
      operationId: 'commitFromBlocks',
      summary: 'Commit a new version of a file from blocks already uploaded',
      description:
        'A stale `baseRev` (someone else committed first) is 409 with `details.current`, or with `onConflict: "copy"` ' +
        'the content becomes `name (conflicted copy from DEVICE YYYY-MM-DD).ext` and the answer says `conflict: true`. ' +
        'With `fileId`, another entry at `path` (or none: the file was deleted or moved away) loses the same way.',
      unsafe: true,
      requestBody: body({
        type: 'object',
        required: ['path', 'size', 'blocks', 'baseRev'],
        additionalProperties: false,
        properties: {
          path: { type: 'string' },
          size: { type: 'integer', minimum: 0 },
          blocks: {
            type: 'array',
            items: { type: 'object', required: ['hash', 'size'], additionalProperties: false, properties: { hash: sha256, size: { type: 'integer', minimum: 1 } } },
          },
          baseRev: { oneOf: [{ type: 'integer', minimum: 0 }, { type: 'null' }], description: 'The revision this replaces; null: a new file' },
          fileId: { type: 'string', format: 'uuid', description: 'With `baseRev`: the entry that revision belongs to' },
          overwrite: { type: 'boolean' },
          onConflict: { type: 'string', enum: ['fail', 'copy'], default: 'fail' },
          mtime: { oneOf: [{ type: 'string', format: 'date-time' }, { type: 'integer', minimum: 0 }], description: 'The file’s modification time (ISO 8601 or ms)' },
        },
      }),
      responses: {
        '201': json(
          {
            allOf: [
              schema('FileView'),
              {
                type: 'object',
                required: ['conflict'],
                properties: {
                  conflict: { type: 'boolean', description: 'true: the content went to a conflicted copy (this entry)' },
                  original: {
                    type: 'object',
                    description: 'Where the content would have gone; `id` null when no entry is at that path any more',
                    properties: { id: { type: ['string', 'null'] }, path: { type: 'string' }, rev: { type: 'integer' } },
                  },
                },
              },
            ],
          },
          'The committed file (or its conflicted copy)',
        ),
        ...errors(400, 404, 409, 503, 507),
      },
    }),
  },
  '/notifications': {
    get: op({
      tag: 'notifications',
      operationId: 'listNotifications',
      summary: 'The caller’s notification inbox, newest first',
      parameters: [
        { name: 'unread', in: 'query', required: false, schema: { type: 'boolean', default: false } },
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
        { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
      ],
      responses: {
        '200': json(
          {
            type: 'object',
            required: ['notifications'],
            properties: { notifications: { type: 'array', items: schema('Notification') }, cursor: { type: 'string' } },
          },
          'One page; `cursor` when more follow',
        ),
        ...errors(400),
      },
    }),
  },
  '/notifications/read': {
    post: op({
      tag: 'notifications',
      operationId: 'markNotificationsRead',
      summary: 'Mark notifications as read: these `ids`, or `all: true`',
      unsafe: true,
      requestBody: body({
        type: 'object',
        additionalProperties: false,
        properties: { ids: { type: 'array', items: { type: 'string', format: 'uuid' }, maxItems: 1000 }, all: { const: true } },
        oneOf: [{ required: ['ids'] }, { required: ['all'] }],
      }),
      responses: {
        '200': json({ type: 'object', required: ['updated'], properties: { updated: { type: 'integer', minimum: 0 } } }, 'How many changed'),
        ...errors(400),
      },
    }),
  },
};
