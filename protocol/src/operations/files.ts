/** Operations of the file tree and the trash. */
import { operation } from '../operation.js';
import {
  DeleteRequest,
  FileList,
  FileView,
  IdParams,
  ListQuery,
  MkdirRequest,
  MoveOrCopy,
  PathQuery,
  PurgeResult,
  RecentQuery,
  SearchQuery,
  StarredQuery,
  ThumbnailQuery,
  TrashQuery,
  TrashRestoreRequest,
} from '../shapes/files.js';

export const listFolder = operation({
  id: 'listFolder',
  method: 'GET',
  path: '/list',
  tag: 'files',
  summary: 'A folder’s children, paginated',
  description: '409 `not_a_folder` when the path names a file.',
  auth: 'user',
  query: ListQuery,
  answers: { 200: { description: 'One page of entries; `cursor` when more follow', json: FileList } },
  errors: [404, 409],
});

export const getMetadata = operation({
  id: 'getMetadata',
  method: 'GET',
  path: '/metadata',
  tag: 'files',
  summary: 'One entry by path',
  auth: 'user',
  description: '409 `root` for the root, which has no entry.',
  query: PathQuery,
  answers: { 200: { description: 'The entry', json: FileView } },
  errors: [404, 409],
});

export const getFile = operation({
  id: 'getFile',
  method: 'GET',
  path: '/files/{id}',
  tag: 'files',
  summary: 'One entry by id',
  auth: 'user',
  params: IdParams,
  answers: { 200: { description: 'The entry', json: FileView } },
});

export const mkdir = operation({
  id: 'mkdir',
  method: 'POST',
  path: '/mkdir',
  tag: 'files',
  summary: 'Create a folder',
  description:
    '409 `name_taken` when an entry of that name (case-insensitively) exists, `parent_not_folder` when a file is on the way; ' +
    '404 `parent_not_found` when the parent is missing, unless `parents`.',
  auth: 'user',
  body: { json: MkdirRequest },
  answers: { 201: { description: 'The new folder', json: FileView } },
  errors: [404, 409],
});

export const move = operation({
  id: 'move',
  method: 'POST',
  path: '/move',
  tag: 'files',
  summary: 'Move or rename an entry',
  description: '409 when the target exists (case-insensitively) or when a folder would move into itself.',
  auth: 'user',
  body: { json: MoveOrCopy },
  answers: { 200: { description: 'The moved entry', json: FileView } },
  errors: [404, 409],
});

export const copy = operation({
  id: 'copy',
  method: 'POST',
  path: '/copy',
  tag: 'files',
  summary: 'Server-side copy: new metadata, the same stored blocks',
  description: '409 when the target exists, for a folder copied into itself, or `not_ready` for a file still uploading its first revision.',
  auth: 'user',
  body: { json: MoveOrCopy },
  answers: { 201: { description: 'The copy', json: FileView } },
  errors: [404, 409, 507],
});

export const deleteEntry = operation({
  id: 'delete',
  method: 'POST',
  path: '/delete',
  tag: 'files',
  summary: 'Move an entry to the trash (a folder with everything in it)',
  description:
    'A sync client names what it saw: with `rev`, the entry is trashed only while its head revision is `rev` ' +
    '(409 `stale_revision`, `details.current`: `{id,rev,size,contentHash}`); with `recursive: false`, a folder holding anything live is 409 `not_empty`. ' +
    '409 `in_trash` for an entry already in the trash, `root` for the root. A refused delete changes nothing.',
  auth: 'user',
  body: { json: DeleteRequest },
  answers: { 200: { description: 'The trashed entry (`trashedAt` set)', json: FileView } },
  errors: [404, 409],
});

export const search = operation({
  id: 'search',
  method: 'GET',
  path: '/search',
  tag: 'files',
  summary: 'Entries whose name contains `q` (case-insensitive)',
  auth: 'user',
  query: SearchQuery,
  answers: { 200: { description: 'Matching entries', json: FileList } },
});

export const listTrash = operation({
  id: 'listTrash',
  method: 'GET',
  path: '/trash',
  tag: 'trash',
  summary: 'What is in the trash (top-level trashed entries), newest first',
  auth: 'user',
  query: TrashQuery,
  answers: { 200: { description: 'Trashed entries (`trashedAt` set); `cursor` when more follow', json: FileList } },
});

export const emptyTrash = operation({
  id: 'emptyTrash',
  method: 'DELETE',
  path: '/trash',
  tag: 'trash',
  summary: 'Empty the trash (purge everything in it)',
  auth: 'user',
  answers: { 200: { description: 'Emptied', json: PurgeResult } },
});

export const restoreFromTrash = operation({
  id: 'restoreFromTrash',
  method: 'POST',
  path: '/trash/{id}/restore',
  tag: 'trash',
  summary: 'Restore a trashed entry to where it was, or to `to`',
  description: 'The body may be left out. 409 `parent_missing` when the original folder is gone (give `to`), `name_taken`, `not_in_trash`.',
  auth: 'user',
  params: IdParams,
  body: { json: TrashRestoreRequest, optional: true },
  answers: { 200: { description: 'The restored entry', json: FileView } },
  errors: [409, 507],
});

export const purgeFromTrash = operation({
  id: 'purgeFromTrash',
  method: 'DELETE',
  path: '/trash/{id}',
  tag: 'trash',
  summary: 'Purge one trashed entry for good',
  auth: 'user',
  params: IdParams,
  answers: { 200: { description: 'Purged', json: PurgeResult } },
  errors: [409],
});

export const starFile = operation({
  id: 'starFile',
  method: 'PUT',
  path: '/files/{id}/star',
  tag: 'files',
  summary: 'Star an entry (for the caller only)',
  description:
    'Anything the caller may read can be starred, their own or inside a share. Starring twice keeps the first star’s time. ' +
    'A trashed entry stays starred and leaves the starred list until it is restored.',
  auth: 'user',
  params: IdParams,
  answers: { 200: { description: 'The entry (`starred: true`)', json: FileView } },
});

export const unstarFile = operation({
  id: 'unstarFile',
  method: 'DELETE',
  path: '/files/{id}/star',
  tag: 'files',
  summary: 'Remove the caller’s star from an entry (nothing happens if it had none)',
  auth: 'user',
  params: IdParams,
  answers: { 200: { description: 'The entry (`starred: false`)', json: FileView } },
});

export const listStarred = operation({
  id: 'listStarred',
  method: 'GET',
  path: '/starred',
  tag: 'files',
  summary: 'The caller’s starred entries, most recently starred first',
  description: 'Entries in the trash are left out (they come back when restored), and so are entries the caller can no longer read.',
  auth: 'user',
  query: StarredQuery,
  answers: { 200: { description: 'One page of starred entries; `cursor` when more follow', json: FileList } },
});

export const listRecent = operation({
  id: 'listRecent',
  method: 'GET',
  path: '/recent',
  tag: 'files',
  summary: 'The caller’s files, most recently modified or uploaded first',
  description:
    'Files (not folders) of the caller’s own tree that have content, outside the trash. Files inside shares mounted from others are not included.',
  auth: 'user',
  query: RecentQuery,
  answers: { 200: { description: 'One page of files; `cursor` when more follow', json: FileList } },
});

export const getThumbnail = operation({
  id: 'getThumbnail',
  method: 'GET',
  path: '/files/{id}/thumbnail',
  tag: 'files',
  summary: 'A small WebP of an image file’s head revision',
  description:
    'Made by the server on first request and kept, encrypted, in the block store (keyed by the content and the size), so later requests decode nothing. ' +
    'JPEG, PNG, WebP, GIF (its first frame) and AVIF, by name and by content. ' +
    '415 `not_an_image` otherwise (folders too); 422 `image_too_large` past the pixel or byte budget, `image_unreadable` for bytes that do not decode; ' +
    '404 `no_content` while the first upload is in progress.',
  auth: 'user',
  params: IdParams,
  query: ThumbnailQuery,
  headers: { 'If-None-Match': { description: 'The ETag of a thumbnail held → 304' } },
  answers: {
    200: {
      description: 'The thumbnail',
      bytes: 'image/webp',
      headers: {
        ETag: { description: 'Strong validator: the source content and the size' },
        'Cache-Control': { description: '`private, max-age=31536000, immutable` when `hash` named the content, else `private, no-cache`' },
        'X-Coffer-Cache': { description: '`hit` when the thumbnail came from the store, `miss` when it was made for this request' },
      },
    },
    304: { description: 'Not modified (`If-None-Match` matched)', headers: { ETag: { description: 'The thumbnail’s ETag' } } },
  },
  errors: [404, 409, 415, 422],
});
