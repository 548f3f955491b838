/** Paths that move bytes: simple and resumable uploads, downloads, and revisions. */
import { body, errors, json, op, param, schema, type Json } from './helpers.js';

const file = (description: string): Json => json(schema('FileView'), description);
const bytes = { type: 'string', contentMediaType: 'application/octet-stream' };
const rangeHeader = {
  Range: { schema: { type: 'string', pattern: '^bytes=0-[0-9]+$' }, description: 'Bytes durably stored so far, `bytes=0-(k-1)`; absent when none' },
};

const downloadParams: Json[] = [
  param('RevQuery'),
  {
    name: 'inline',
    in: 'query',
    required: false,
    schema: { type: 'boolean' },
    description:
      '`Content-Disposition: inline` instead of attachment, for types no browser runs script from (raster images, audio, video, plain text, CSV, Markdown, JSON); every other type (HTML, SVG, XML, JavaScript, CSS, PDF, unknown) stays an attachment. Every answer carries `X-Content-Type-Options: nosniff` and a sandboxing `Content-Security-Policy`.',
  },
  { name: 'Range', in: 'header', required: false, schema: { type: 'string' }, description: 'e.g. `bytes=0-1023` → 206' },
  { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'An ETag → 304 when it still matches' },
  { name: 'If-Range', in: 'header', required: false, schema: { type: 'string' }, description: 'Honour `Range` only while this ETag still matches' },
];

const downloadResponses: Json = {
  '200': {
    description: 'The whole content',
    headers: {
      ETag: { schema: { type: 'string' }, description: 'Strong validator: the content hash, quoted' },
      'Content-Disposition': { schema: { type: 'string' }, description: 'attachment, with `filename*` (RFC 6266 / RFC 5987)' },
      'Content-Length': { schema: { type: 'integer' } },
      'Accept-Ranges': { schema: { type: 'string', enum: ['bytes'] } },
      'Last-Modified': { schema: { type: 'string' } },
      'X-Coffer-Rev': { schema: { type: 'integer' }, description: 'The revision served' },
    },
    content: { 'application/octet-stream': { schema: bytes } },
  },
  '206': {
    description: 'The requested range',
    headers: { 'Content-Range': { schema: { type: 'string' }, example: 'bytes 0-1023/4096' }, ETag: { schema: { type: 'string' } } },
    content: { 'application/octet-stream': { schema: bytes } },
  },
  '304': { description: 'Not modified (`If-None-Match` matched)', headers: { ETag: { schema: { type: 'string' } } } },
  ...errors(400, 404, 416, 503),
};

/** HEAD answers the same statuses and headers, never a body. */
const headResponses: Json = Object.fromEntries(
  Object.entries(downloadResponses).map(([status, r]) => {
    if (Number(status) >= 300) return [status, r];
    const { content: _none, ...rest } = r as Json;
    return [status, rest];
  }),
);

const revisionsResponse: Json = { '200': json(schema('RevisionList'), 'Revisions, newest first'), ...errors(400, 404) };

export const transferPaths: Record<string, Json> = {
  '/upload': {
    post: op({
      tag: 'transfer',
      operationId: 'upload',
      summary: 'Simple upload (`uploadType=media`) or start of a resumable upload (`uploadType=resumable`)',
      description:
        '`media`: the body is the file’s bytes, streamed; the new revision commits when the body ends (201). ' +
        '`resumable`: the JSON body names the file; answers 200 with `Location:` the session URL, and the entry ' +
        'shows `pending: true` (rev unchanged) until the last piece commits. A stale `baseRev`, or an existing ' +
        'file without `baseRev`/`overwrite`, is 409 with `details.current`.',
      unsafe: true,
      parameters: [
        { name: 'uploadType', in: 'query', required: true, schema: { type: 'string', enum: ['media', 'resumable'] } },
        { name: 'path', in: 'query', required: false, schema: { type: 'string' }, description: 'The file (`media` only; resumable takes it in the body)' },
        { name: 'baseRev', in: 'query', required: false, schema: { type: 'integer', minimum: 0 }, description: 'The revision this content replaces (`media`)' },
        { name: 'overwrite', in: 'query', required: false, schema: { type: 'boolean' }, description: 'Replace whatever revision is there (`media`)' },
      ],
      requestBody: {
        required: true,
        content: {
          'application/octet-stream': { schema: bytes, description: '`uploadType=media`: the bytes' },
          'application/json': { schema: schema('ResumableStart'), description: '`uploadType=resumable`' },
        },
      },
      responses: {
        '201': file('`media`: the committed file'),
        '200': {
          description: '`resumable`: the session was created',
          headers: { Location: { required: true, schema: { type: 'string' }, description: '`/api/v1/upload/sessions/{id}`' } },
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['sessionId', 'sessionUrl', 'expiresAt'],
                properties: {
                  sessionId: { type: 'string', format: 'uuid' },
                  sessionUrl: { type: 'string', description: '`/api/v1/upload/sessions/{id}` (the same as `Location`)' },
                  expiresAt: { type: 'string', format: 'date-time', description: 'The session is forgotten after this' },
                },
              },
            },
          },
        },
        ...errors(400, 404, 409, 412, 413, 503, 507),
      },
    }),
  },
  '/upload/sessions/{id}': {
    put: op({
      tag: 'transfer',
      operationId: 'uploadPiece',
      summary: 'Send a piece of a resumable upload, or ask its status',
      description:
        'With `Content-Range: bytes a-b/N` the body is bytes a..b (a must be where the server’s `Range` ends, +1). ' +
        'Answers 308 with `Range: bytes=0-(k-1)` — what is durably stored, which survives a server restart — or, ' +
        'for the last piece, 201 with the committed file. With `Content-Range: bytes */N` and an empty body it ' +
        'only reports status: 308 + `Range`, or 201 once committed. `N` may be `*` while the size is unknown.',
      unsafe: true,
      parameters: [
        param('IdPath'),
        {
          name: 'Content-Range',
          in: 'header',
          required: false,
          description: 'Which bytes the body holds; without it the body is the whole file from byte 0 (its Content-Length the size)',
          schema: { type: 'string', pattern: '^bytes (\\*|[0-9]+-[0-9]+)/([0-9]+|\\*)$' },
          examples: { piece: { value: 'bytes 0-33554431/314572800' }, status: { value: 'bytes */314572800' } },
        },
      ],
      requestBody: { required: false, content: { 'application/octet-stream': { schema: bytes } } },
      responses: {
        '308': { description: 'Incomplete: resume after what `Range` reports', headers: rangeHeader },
        '201': file('Complete: the committed file'),
        ...errors(400, 404, 409, 413, 416, 503, 507),
      },
    }),
    delete: op({
      tag: 'transfer',
      operationId: 'cancelUpload',
      summary: 'Cancel a resumable upload (the pending entry goes away when it had no content)',
      unsafe: true,
      parameters: [param('IdPath')],
      responses: { '204': { description: 'Cancelled' }, ...errors(404) },
    }),
  },
  '/download': {
    get: op({
      tag: 'transfer',
      operationId: 'download',
      summary: 'A file’s bytes by path (any retained revision)',
      parameters: [param('PathQuery'), ...downloadParams],
      responses: downloadResponses,
    }),
    head: op({
      tag: 'transfer',
      operationId: 'downloadHead',
      summary: 'The headers a download by path would answer (size, ETag, revision), without the bytes',
      parameters: [param('PathQuery'), ...downloadParams],
      responses: headResponses,
    }),
  },
  '/files/{id}/content': {
    get: op({
      tag: 'transfer',
      operationId: 'downloadById',
      summary: 'A file’s bytes by id (any retained revision)',
      parameters: [param('IdPath'), ...downloadParams],
      responses: downloadResponses,
    }),
    head: op({
      tag: 'transfer',
      operationId: 'downloadByIdHead',
      summary: 'The headers a download by id would answer, without the bytes',
      parameters: [param('IdPath'), ...downloadParams],
      responses: headResponses,
    }),
  },
  '/revisions': {
    get: op({
      tag: 'revisions',
      operationId: 'listRevisions',
      summary: 'A file’s revisions by path, newest first',
      parameters: [param('PathQuery'), param('LimitQuery')],
      responses: revisionsResponse,
    }),
  },
  '/files/{id}/revisions': {
    get: op({
      tag: 'revisions',
      operationId: 'listRevisionsById',
      summary: 'A file’s revisions by id, newest first',
      parameters: [param('IdPath'), param('LimitQuery')],
      responses: revisionsResponse,
    }),
  },
  '/revisions/blocks': {
    get: op({
      tag: 'revisions',
      operationId: 'revisionBlocks',
      summary: 'A revision’s ordered block list (plaintext SHA-256 and size), for delta downloads through GET /blocks/{sha256}',
      parameters: [param('PathQuery'), { name: 'rev', in: 'query', required: false, schema: { type: 'integer', minimum: 1 }, description: 'Default: the head' }],
      responses: {
        '200': json(
          {
            type: 'object',
            required: ['rev', 'size', 'contentHash', 'blocks'],
            properties: {
              rev: { type: 'integer' },
              size: { type: 'integer' },
              contentHash: { type: 'string' },
              blocks: { type: 'array', items: { type: 'object', required: ['hash', 'size'], properties: { hash: { type: 'string' }, size: { type: 'integer' } } } },
            },
          },
          'The block list, in file order',
        ),
        ...errors(400, 404, 409),
      },
    }),
  },
  '/revisions/restore': {
    post: op({
      tag: 'revisions',
      operationId: 'restoreRevision',
      summary: 'Make an old revision’s content the newest revision',
      unsafe: true,
      requestBody: body({
        type: 'object',
        required: ['rev'],
        properties: { path: { type: 'string' }, id: { type: 'string', format: 'uuid' }, rev: { type: 'integer', minimum: 1 } },
        anyOf: [{ required: ['path'] }, { required: ['id'] }],
      }),
      responses: { '200': file('The file at its new revision'), ...errors(400, 404, 409, 507) },
    }),
  },
};
