/** Operations that move bytes: simple and resumable uploads, downloads; and a file's revisions. */
import { type HeaderDoc, operation } from '../operation.js';
import { FileView, IdParams } from '../shapes/files.js';
import { RevisionBlocksAnswer } from '../shapes/sync.js';
import {
  DownloadByIdQuery,
  DownloadQuery,
  RANGE_STORED,
  ResumableSession,
  ResumableStart,
  RestoreRequest,
  RevisionBlocksQuery,
  RevisionList,
  RevisionsByIdQuery,
  RevisionsQuery,
  UploadQuery,
} from '../shapes/transfer.js';

const OCTETS = 'application/octet-stream';
const noSession = { status: 404, code: 'no_session', message: 'no such upload session' } as const;

export const upload = operation({
  id: 'upload',
  method: 'POST',
  path: '/upload',
  tag: 'transfer',
  summary: 'Simple upload (`uploadType=media`) or start of a resumable upload (`uploadType=resumable`)',
  description:
    '`media`: the body is the file’s bytes, streamed; the new revision commits when the body ends (201). ' +
    '`resumable`: the JSON body names the file; answers 200 with `Location:` the session URL, and the entry ' +
    'shows `pending: true` (rev unchanged) until the last piece commits. A stale `baseRev`, or an existing ' +
    'file without `baseRev`/`overwrite`, is 409 with `details.current`.',
  auth: 'user',
  query: UploadQuery,
  body: {
    json: ResumableStart,
    raw: OCTETS,
    jsonWhen: (q: { uploadType: string }) => q.uploadType === 'resumable',
    description: '`media`: the bytes (`application/octet-stream`); `resumable`: JSON naming the file',
  },
  answers: {
    201: { description: '`media`: the committed file', json: FileView },
    200: {
      description: '`resumable`: the session was created',
      json: ResumableSession,
      headers: { Location: { required: true, description: 'The session’s absolute URL (on `COFFER_PUBLIC_URL` when set)' } },
    },
  },
  errors: [404, 409, 413, 507],
});

export const uploadPiece = operation({
  id: 'uploadPiece',
  method: 'PUT',
  path: '/upload/sessions/{id}',
  tag: 'transfer',
  summary: 'Send a piece of a resumable upload, or ask its status',
  description:
    'With `Content-Range: bytes a-b/N` the body is bytes a..b (a must be where the server’s `Range` ends, +1). ' +
    'Answers 308 with `Range: bytes=0-(k-1)` — what is durably stored, which survives a server restart — or, ' +
    'for the last piece, 201 with the committed file. With `Content-Range: bytes */N` and an empty body it ' +
    'only reports status: 308 + `Range`, or 201 once committed. `N` may be `*` while the size is unknown.',
  auth: 'user',
  params: IdParams,
  badParams: noSession,
  headers: {
    'Content-Range': {
      description: 'Which bytes the body holds; without it the body is the whole file from byte 0 (its Content-Length the size)',
      pattern: '^bytes (\\*|[0-9]+-[0-9]+)/([0-9]+|\\*)$',
      example: 'bytes 0-33554431/314572800',
    },
  },
  body: { raw: OCTETS, optional: true },
  answers: {
    308: {
      description: 'Incomplete: resume after what `Range` reports',
      headers: { Range: { description: 'Bytes durably stored so far, `bytes=0-(k-1)`; absent when none', pattern: RANGE_STORED.source } },
    },
    201: { description: 'Complete: the committed file', json: FileView },
  },
  errors: [400, 409, 413, 416, 507],
});

export const cancelUpload = operation({
  id: 'cancelUpload',
  method: 'DELETE',
  path: '/upload/sessions/{id}',
  tag: 'transfer',
  summary: 'Cancel a resumable upload (the pending entry goes away when it had no content)',
  auth: 'user',
  params: IdParams,
  badParams: noSession,
  answers: { 204: { description: 'Cancelled' } },
  errors: [409],
});

const DOWNLOAD_REQUEST_HEADERS: Readonly<Record<string, HeaderDoc>> = {
  Range: { description: 'e.g. `bytes=0-1023` → 206' },
  'If-None-Match': { description: 'An ETag → 304 when it still matches' },
  'If-Range': { description: 'Honour `Range` only while this ETag still matches' },
};

const DOWNLOAD_HEADERS: Readonly<Record<string, HeaderDoc>> = {
  ETag: { description: 'Strong validator: the content hash, quoted' },
  'Content-Disposition': { description: 'attachment (or inline, see `inline`), with `filename*` (RFC 6266 / RFC 5987)' },
  'Content-Length': { description: 'Bytes of the body', type: 'integer' },
  'Accept-Ranges': { description: '`bytes`' },
  'Last-Modified': { description: 'When the revision was written' },
  'X-Coffer-Rev': { description: 'The revision served', type: 'integer' },
};

const RANGE_HEADERS: Readonly<Record<string, HeaderDoc>> = {
  'Content-Range': { description: 'Which bytes, e.g. `bytes 0-1023/4096`' },
  ETag: { description: 'Strong validator: the content hash, quoted' },
};
const NOT_MODIFIED = { description: 'Not modified (`If-None-Match` matched)', headers: { ETag: RANGE_HEADERS.ETag! } };

const GET_ANSWERS = {
  200: { description: 'The whole content', bytes: OCTETS, headers: DOWNLOAD_HEADERS },
  206: { description: 'The requested range', bytes: OCTETS, headers: RANGE_HEADERS },
  304: NOT_MODIFIED,
} as const;

/** HEAD answers the same statuses and headers, never a body. */
const HEAD_ANSWERS = {
  200: { description: 'The headers of the whole content', headers: DOWNLOAD_HEADERS },
  206: { description: 'The headers of the requested range', headers: RANGE_HEADERS },
  304: NOT_MODIFIED,
} as const;

const downloadCommon = {
  tag: 'transfer',
  auth: 'user',
  headers: DOWNLOAD_REQUEST_HEADERS,
  errors: [404, 409, 416],
  description:
    '404 `no_content` while a new file’s first revision is uploading, `no_revision` for a revision not kept; 409 `is_folder` for a folder. ' +
    'User content is never served where it can run script: `nosniff`, a sandboxing CSP, and active types as attachments.',
} as const;

export const download = operation({
  ...downloadCommon,
  id: 'download',
  method: 'GET',
  path: '/download',
  summary: 'A file’s bytes by path (any retained revision)',
  query: DownloadQuery,
  answers: GET_ANSWERS,
});

export const downloadHead = operation({
  ...downloadCommon,
  id: 'downloadHead',
  method: 'HEAD',
  path: '/download',
  summary: 'The headers a download by path would answer (size, ETag, revision), without the bytes',
  query: DownloadQuery,
  answers: HEAD_ANSWERS,
});

export const downloadById = operation({
  ...downloadCommon,
  id: 'downloadById',
  method: 'GET',
  path: '/files/{id}/content',
  summary: 'A file’s bytes by id (any retained revision)',
  params: IdParams,
  query: DownloadByIdQuery,
  answers: GET_ANSWERS,
});

export const downloadByIdHead = operation({
  ...downloadCommon,
  id: 'downloadByIdHead',
  method: 'HEAD',
  path: '/files/{id}/content',
  summary: 'The headers a download by id would answer, without the bytes',
  params: IdParams,
  query: DownloadByIdQuery,
  answers: HEAD_ANSWERS,
});

export const downloadFolderZip = operation({
  id: 'downloadFolderZip',
  method: 'GET',
  path: '/files/{id}/zip',
  tag: 'transfer',
  summary: 'A folder and everything in it as one zip, streamed (stored, not compressed; zip64 past 4 GiB)',
  description:
    'Entries are named under the folder’s own name; files still uploading their first revision are left out. The length is known beforehand (Content-Length). ' +
    '409 `not_a_folder` for a file.',
  auth: 'user',
  params: IdParams,
  answers: {
    200: {
      description: 'The zip',
      bytes: 'application/zip',
      headers: {
        'Content-Disposition': { description: 'attachment; `filename*` is the folder’s name with `.zip`' },
        'Content-Length': { description: 'Bytes of the zip', type: 'integer' },
      },
    },
  },
  errors: [404, 409],
});

export const listRevisions = operation({
  id: 'listRevisions',
  method: 'GET',
  path: '/revisions',
  tag: 'revisions',
  summary: 'A file’s revisions by path, newest first',
  description: '409 `is_folder` for a folder.',
  auth: 'user',
  query: RevisionsQuery,
  answers: { 200: { description: 'Revisions, newest first', json: RevisionList } },
  errors: [404, 409],
});

export const listRevisionsById = operation({
  id: 'listRevisionsById',
  method: 'GET',
  path: '/files/{id}/revisions',
  tag: 'revisions',
  summary: 'A file’s revisions by id, newest first',
  description: '409 `is_folder` for a folder.',
  auth: 'user',
  params: IdParams,
  query: RevisionsByIdQuery,
  answers: { 200: { description: 'Revisions, newest first', json: RevisionList } },
  errors: [409],
});

export const revisionBlocks = operation({
  id: 'revisionBlocks',
  method: 'GET',
  path: '/revisions/blocks',
  tag: 'revisions',
  summary: 'A revision’s ordered block list (plaintext SHA-256 and size), for delta downloads through GET /blocks/{sha256}',
  auth: 'user',
  query: RevisionBlocksQuery,
  answers: { 200: { description: 'The block list, in file order', json: RevisionBlocksAnswer } },
  errors: [404, 409],
});

export const restoreRevision = operation({
  id: 'restoreRevision',
  method: 'POST',
  path: '/revisions/restore',
  tag: 'revisions',
  summary: 'Make an old revision’s content the newest revision',
  description: 'Names the file by `path` or by `id`, exactly one. 409 `file_trashed` for a file in the trash (restore it first).',
  auth: 'user',
  body: { json: RestoreRequest },
  answers: { 200: { description: 'The file at its new revision', json: FileView } },
  errors: [404, 409, 507],
});

