/** The file tree's shapes: an entry as every answer shows it, listings, and the tree's requests. */
import { z } from 'zod';
import { Sha256Hex, sha256Answer } from '../blocks.js';
import { LIST_ORDERS, LIST_SORTS, ListCursor, RecentCursor, StarredCursor, TrashCursor } from '../cursors.js';
import { count, id, int4, MAX_PATH_CHARS, optionalParam, pageCursor, pageLimit, path, text } from '../fields.js';
import { timestamp } from './common.js';

export const FileView = z
  .object({
    id: id(),
    name: z.string().register(z.globalRegistry, { description: 'NFC, case preserved' }),
    path: z.string().register(z.globalRegistry, { description: 'Absolute, `/`-separated, as stored (whatever case the request used), e.g. `/Photos/cat.jpg`' }),
    parentId: id().nullable().register(z.globalRegistry, { description: 'null at the root' }),
    isDir: z.boolean(),
    size: count().register(z.globalRegistry, { description: 'Bytes of the head revision (0 for folders)' }),
    rev: int4().register(z.globalRegistry, { description: 'Head revision; 0 while no content is committed' }),
    contentHash: sha256Answer().nullable().register(z.globalRegistry, { description: 'Names the head content: SHA-256 over its blocks’ SHA-256s (null for folders and rev 0)' }),
    pending: z.boolean().register(z.globalRegistry, { description: 'An upload to this entry is in progress; rev 0 has no readable content yet' }),
    createdAt: timestamp(),
    modifiedAt: timestamp(),
    trashedAt: timestamp().nullable(),
    starred: z
      .boolean()
      .optional()
      .register(z.globalRegistry, {
        description:
          'The caller starred it. Present in listings, search, `/metadata`, `/files/{id}`, the starred and recent lists and star answers; left out where an answer does not look it up',
      }),
  })
  .register(z.globalRegistry, { id: 'FileView', description: 'A file or folder as every answer shows it.' });
export type FileView = z.infer<typeof FileView>;

export const FileList = z
  .object({
    entries: z.array(FileView),
    cursor: z.string().optional().register(z.globalRegistry, { description: 'Present when more entries follow: pass it back as `cursor`' }),
  })
  .register(z.globalRegistry, { id: 'FileList' });
export type FileList = z.infer<typeof FileList>;

/** What purging answers: how much went for good. */
export const PurgeResult = z
  .object({
    files: count().register(z.globalRegistry, { description: 'Files deleted for good' }),
    folders: count(),
    freedBytes: count().register(z.globalRegistry, { description: 'What the owner’s usage went down by' }),
  })
  .register(z.globalRegistry, { id: 'PurgeResult' });
export type PurgeResult = z.infer<typeof PurgeResult>;

const Limit = pageLimit();

export const ListQuery = z.object({
  path: text(MAX_PATH_CHARS).default('/').register(z.globalRegistry, { description: 'The folder (default: the root)' }),
  limit: Limit,
  // `cursor=` (empty) is the first page.
  cursor: optionalParam(pageCursor(ListCursor)).register(z.globalRegistry, { description: 'From the previous page’s answer' }),
  sort: z.enum(LIST_SORTS).default('name'),
  order: z.enum(LIST_ORDERS).default('asc'),
});

/** The root is '/', so a path here may not be empty. */
export const PathQuery = z.object({ path: path().register(z.globalRegistry, { description: 'Absolute path, e.g. `/Photos/cat.jpg`' }) });

export const IdParams = z.object({ id: id() });

export const MkdirRequest = z.strictObject({
  path: path(),
  parents: z.boolean().optional().register(z.globalRegistry, { description: 'Create missing parent folders too' }),
});

/** `{path}` or `{id}`, exactly one. */
const oneOf =
  <K extends string>(pathKey: K) =>
  (v: Partial<Record<K | 'id', unknown>>) =>
    (v[pathKey] === undefined) !== (v.id === undefined);

export const MoveOrCopy = z
  .strictObject({
    from: path().optional().register(z.globalRegistry, { description: 'Source path' }),
    id: id().optional().register(z.globalRegistry, { description: 'Source id' }),
    to: path().register(z.globalRegistry, { description: 'Target path' }),
  })
  .refine(oneOf('from'), { message: 'give exactly one of from (a path) and id' })
  .register(z.globalRegistry, { id: 'MoveOrCopy', description: 'Names the source by path (`from`) or by `id`, exactly one.' });
export type MoveOrCopy = z.input<typeof MoveOrCopy>;

export const DeleteRequest = z
  .strictObject({
    path: path().optional(),
    id: id().optional(),
    rev: int4().optional().register(z.globalRegistry, { description: 'Only while the entry is at this revision (409 `stale_revision` otherwise)' }),
    recursive: z.boolean().optional().register(z.globalRegistry, { description: 'false: a folder only when nothing live is in it (409 `not_empty` otherwise); default true' }),
  })
  .refine(oneOf('path'), { message: 'give exactly one of path and id' })
  .register(z.globalRegistry, { id: 'DeleteRequest', description: 'Names an entry by path or by id (one of them), with the conditions a sync client puts on deleting it.' });
export type DeleteRequest = z.input<typeof DeleteRequest>;

export const SearchQuery = z.object({ q: text(255, 1).register(z.globalRegistry, { description: 'Part of a name, any case' }), limit: Limit });

export const TrashQuery = z.object({
  limit: Limit,
  // `cursor=` (empty) is the first page.
  cursor: optionalParam(pageCursor(TrashCursor)).register(z.globalRegistry, { description: 'From the previous page’s answer' }),
});

export const TrashRestoreRequest = z.strictObject({ to: path().optional().register(z.globalRegistry, { description: 'Restore to this path instead' }) });

export const StarredQuery = z.object({
  limit: Limit,
  // `cursor=` (empty) is the first page.
  cursor: optionalParam(pageCursor(StarredCursor)).register(z.globalRegistry, { description: 'From the previous page’s answer' }),
});

export const RecentQuery = z.object({
  limit: pageLimit(200, 50),
  // `cursor=` (empty) is the first page.
  cursor: optionalParam(pageCursor(RecentCursor)).register(z.globalRegistry, { description: 'From the previous page’s answer' }),
});

/** The edge lengths a thumbnail is made in (a few, so the cache stays small and shared). */
export const THUMBNAIL_SIZES = ['64', '128', '256', '512', '1024'] as const;

export const ThumbnailQuery = z.object({
  size: z
    .enum(THUMBNAIL_SIZES)
    .default('256')
    .transform(Number)
    .register(z.globalRegistry, { description: 'The longest edge in pixels (the image fits inside a square of it; never enlarged)' }),
  hash: optionalParam(Sha256Hex).register(z.globalRegistry, {
    description:
      'The head’s `contentHash` as the caller last saw it: the URL then names one content, and the answer may be cached for good; ' +
      '409 `stale_revision` when the file has changed since',
  }),
});
