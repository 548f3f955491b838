/** Paths of the file tree: listing, lookup, folders, move/copy/delete, trash and search. */
import { body, errors, json, op, param, schema, type Json } from './helpers.js';

const file = (description: string): Json => json(schema('FileView'), description);

export const filePaths: Record<string, Json> = {
  '/list': {
    get: op({
      tag: 'files',
      operationId: 'listFolder',
      summary: 'A folder’s children, paginated',
      parameters: [
        { name: 'path', in: 'query', required: false, schema: { type: 'string', default: '/' }, description: 'The folder (default: the root)' },
        { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        { name: 'cursor', in: 'query', required: false, schema: { type: 'string' }, description: 'From the previous page’s answer' },
        { name: 'sort', in: 'query', required: false, schema: { type: 'string', enum: ['name', 'modified', 'size'], default: 'name' } },
        { name: 'order', in: 'query', required: false, schema: { type: 'string', enum: ['asc', 'desc'], default: 'asc' } },
      ],
      responses: { '200': json(schema('FileList'), 'One page of entries; `cursor` when more follow'), ...errors(400, 404) },
    }),
  },
  '/metadata': {
    get: op({
      tag: 'files',
      operationId: 'getMetadata',
      summary: 'One entry by path',
      parameters: [param('PathQuery')],
      responses: { '200': file('The entry'), ...errors(400, 404) },
    }),
  },
  '/files/{id}': {
    get: op({
      tag: 'files',
      operationId: 'getFile',
      summary: 'One entry by id',
      parameters: [param('IdPath')],
      responses: { '200': file('The entry'), ...errors(400, 404) },
    }),
  },
  '/mkdir': {
    post: op({
      tag: 'files',
      operationId: 'mkdir',
      summary: 'Create a folder',
      unsafe: true,
      description: '409 `name_taken` when an entry of that name (case-insensitively) exists; 404 when the parent is missing, unless `parents`.',
      requestBody: body({
        type: 'object',
        required: ['path'],
        additionalProperties: false,
        properties: { path: { type: 'string' }, parents: { type: 'boolean', description: 'Create missing parent folders too' } },
      }),
      responses: { '201': file('The new folder'), ...errors(400, 404, 409) },
    }),
  },
  '/move': {
    post: op({
      tag: 'files',
      operationId: 'move',
      summary: 'Move or rename an entry',
      description: '409 when the target exists (case-insensitively) or when a folder would move into itself.',
      unsafe: true,
      requestBody: body(schema('MoveOrCopy')),
      responses: { '200': file('The moved entry'), ...errors(400, 404, 409) },
    }),
  },
  '/copy': {
    post: op({
      tag: 'files',
      operationId: 'copy',
      summary: 'Server-side copy: new metadata, the same stored blocks',
      unsafe: true,
      requestBody: body(schema('MoveOrCopy')),
      responses: { '201': file('The copy'), ...errors(400, 404, 409, 507) },
    }),
  },
  '/delete': {
    post: op({
      tag: 'files',
      operationId: 'delete',
      summary: 'Move an entry to the trash (a folder with everything in it)',
      description:
        'A sync client names what it saw: with `rev`, the entry is trashed only while its head revision is `rev` ' +
        '(409 `stale_revision`, `details.current`); with `recursive: false`, a folder holding anything live is 409 `not_empty`. ' +
        '409 `in_trash` for an entry already in the trash, `root` for the root. A refused delete changes nothing.',
      unsafe: true,
      requestBody: body(schema('DeleteRequest')),
      responses: { '200': file('The trashed entry (`trashedAt` set)'), ...errors(400, 404, 409) },
    }),
  },
  '/trash': {
    get: op({
      tag: 'trash',
      operationId: 'listTrash',
      summary: 'What is in the trash (top-level trashed entries)',
      parameters: [param('LimitQuery'), { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } }],
      responses: { '200': json(schema('FileList'), 'Trashed entries (`trashedAt` set)') },
    }),
    delete: op({
      tag: 'trash',
      operationId: 'emptyTrash',
      summary: 'Empty the trash (purge everything in it)',
      unsafe: true,
      responses: { '200': json(schema('PurgeResult'), 'Emptied') },
    }),
  },
  '/trash/{id}/restore': {
    post: op({
      tag: 'trash',
      operationId: 'restoreFromTrash',
      summary: 'Restore a trashed entry to where it was, or to `to`',
      unsafe: true,
      parameters: [param('IdPath')],
      requestBody: {
        required: false,
        ...json({ type: 'object', properties: { to: { type: 'string', description: 'Restore to this path instead' } } }),
      },
      responses: { '200': file('The restored entry'), ...errors(400, 404, 409, 507) },
    }),
  },
  '/trash/{id}': {
    delete: op({
      tag: 'trash',
      operationId: 'purgeFromTrash',
      summary: 'Purge one trashed entry for good',
      unsafe: true,
      parameters: [param('IdPath')],
      responses: { '200': json(schema('PurgeResult'), 'Purged'), ...errors(404) },
    }),
  },
  '/search': {
    get: op({
      tag: 'files',
      operationId: 'search',
      summary: 'Entries whose name contains `q` (case-insensitive)',
      parameters: [{ name: 'q', in: 'query', required: true, schema: { type: 'string', minLength: 1, maxLength: 255 } }, param('LimitQuery')],
      responses: { '200': json(schema('FileList'), 'Matching entries'), ...errors(400) },
    }),
  },
};
