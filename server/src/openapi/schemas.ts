/**
 * The reusable parts of the OpenAPI document: the JSON shapes (components.schemas), the error
 * answers every route shares (components.responses), common parameters and security schemes.
 * Shapes follow server/API.md, server/src/files/view.ts and the routes' own answers.
 */
import { errorResponses, schema, type Json } from './helpers.js';

const DEVICE_KINDS = ['browser', 'desktop', 'cli', 'mobile', 'webdav'];
const timestamp = { type: 'string', format: 'date-time' };
const uuid = { type: 'string', format: 'uuid' };
const nullable = (s: Json): Json => ({ oneOf: [s, { type: 'null' }] });

const schemas: Record<string, Json> = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: {
          code: { type: 'string', description: 'Machine-readable, snake_case (e.g. `not_found`, `name_taken`, `stale_revision`)' },
          message: { type: 'string', description: 'Human-readable reason, safe to show' },
          details: { description: 'Structured details: `issues` for invalid input, `current` for conflicts, `retryAfter` for 429/503' },
        },
      },
    },
    example: { error: { code: 'not_found', message: 'Not found' } },
  },
  FileView: {
    type: 'object',
    description: 'A file or folder as every answer shows it (server/src/files/view.ts).',
    required: ['id', 'name', 'path', 'parentId', 'isDir', 'size', 'rev', 'contentHash', 'pending', 'createdAt', 'modifiedAt', 'trashedAt'],
    properties: {
      id: uuid,
      name: { type: 'string', description: 'NFC, case preserved' },
      path: { type: 'string', description: 'Absolute, `/`-separated, e.g. `/Photos/cat.jpg`' },
      parentId: { ...nullable(uuid), description: 'null at the root' },
      isDir: { type: 'boolean' },
      size: { type: 'integer', minimum: 0, description: 'Bytes of the head revision (0 for folders)' },
      rev: { type: 'integer', minimum: 0, description: 'Head revision; 0 while no content is committed' },
      contentHash: { ...nullable({ type: 'string' }), description: 'Hash naming the head content (null for folders and rev 0)' },
      pending: { type: 'boolean', description: 'An upload to this entry is in progress; rev 0 has no readable content yet' },
      createdAt: timestamp,
      modifiedAt: timestamp,
      trashedAt: nullable(timestamp),
    },
  },
  FileList: {
    type: 'object',
    required: ['entries'],
    properties: {
      entries: { type: 'array', items: schema('FileView') },
      cursor: { type: 'string', description: 'Present when there are more entries: pass it back as `cursor`' },
    },
  },
  SessionUser: {
    type: 'object',
    description: 'What a client learns about itself at sign-in.',
    required: ['id', 'username', 'role', 'namespaceId', 'mustChangePassword'],
    properties: {
      id: uuid,
      username: { type: 'string' },
      role: { type: 'string', enum: ['user', 'admin'] },
      namespaceId: { ...uuid, description: 'The user’s home namespace' },
      mustChangePassword: { type: 'boolean', description: 'Apps should ask for a new password' },
    },
  },
  Me: {
    type: 'object',
    description: 'The caller, as the token presented identifies them.',
    required: ['id', 'username', 'role', 'namespaceId', 'tokenKind'],
    properties: {
      id: uuid,
      username: { type: 'string' },
      role: { type: 'string', enum: ['user', 'admin'] },
      namespaceId: uuid,
      deviceId: { ...uuid, description: 'When the token belongs to a device' },
      tokenKind: { type: 'string', enum: ['session', 'device', 'app_password'] },
      mustChangePassword: { type: 'boolean' },
      quotaBytes: { type: 'integer', description: 'The account’s quota' },
      usedBytes: { type: 'integer', description: 'Bytes of the account’s files (head revisions, trash included)' },
      reservedBytes: { type: 'integer', description: 'Bytes stored for uploads not committed yet (they count against the quota too)' },
    },
  },
  AdminUser: {
    type: 'object',
    description: 'An account as an administrator sees it (never the password hash).',
    required: ['id', 'username', 'email', 'role', 'quotaBytes', 'usedBytes', 'reservedBytes', 'disabled', 'mustChangePassword', 'createdAt'],
    properties: {
      id: uuid,
      username: { type: 'string' },
      email: nullable({ type: 'string', format: 'email' }),
      role: { type: 'string', enum: ['user', 'admin'] },
      quotaBytes: { type: 'integer', minimum: 0 },
      usedBytes: { type: 'integer', minimum: 0 },
      reservedBytes: { type: 'integer', minimum: 0, description: 'Held by uploads not committed yet' },
      disabled: { type: 'boolean' },
      mustChangePassword: { type: 'boolean' },
      createdAt: timestamp,
    },
  },
  Device: {
    type: 'object',
    required: ['id', 'name', 'kind', 'lastSeenAt', 'createdAt', 'current'],
    properties: {
      id: uuid,
      name: { type: 'string' },
      kind: { type: 'string', enum: DEVICE_KINDS },
      lastSeenAt: timestamp,
      createdAt: timestamp,
      current: { type: 'boolean', description: 'The device of the calling token' },
    },
  },
  AppPassword: {
    type: 'object',
    required: ['id', 'label', 'createdAt', 'lastUsedAt'],
    properties: { id: uuid, label: { type: 'string' }, createdAt: timestamp, lastUsedAt: nullable(timestamp) },
  },
  AppPasswordCreated: {
    type: 'object',
    required: ['id', 'label', 'password', 'createdAt'],
    properties: {
      id: uuid,
      label: { type: 'string' },
      password: { type: 'string', description: 'The secret, shown this once only: a bearer token, and the Basic-auth password for WebDAV' },
      createdAt: timestamp,
    },
  },
  DeviceRegistration: {
    type: 'object',
    description: 'Register a device: the token is bound to it and lasts until revoked (else a 30-day session)',
    required: ['name', 'kind'],
    properties: { name: { type: 'string', minLength: 1, maxLength: 100 }, kind: { type: 'string', enum: DEVICE_KINDS } },
  },
  LoginRequest: {
    type: 'object',
    required: ['username', 'password'],
    properties: {
      username: { type: 'string' },
      password: { type: 'string', format: 'password' },
      device: schema('DeviceRegistration'),
      cookie: { type: 'boolean', description: 'Also set the `coffer_session` cookie (browsers)' },
    },
  },
  LoginResponse: {
    type: 'object',
    required: ['token', 'user'],
    properties: { token: { type: 'string', description: 'Bearer token, shown once' }, user: schema('SessionUser') },
  },
  SignupRequest: {
    type: 'object',
    required: ['username', 'password'],
    properties: {
      username: { type: 'string' },
      password: { type: 'string', format: 'password' },
      device: schema('DeviceRegistration'),
      cookie: { type: 'boolean' },
    },
  },
  DeleteRequest: {
    type: 'object',
    description: 'Names an entry by path or by id (one of them), with the conditions a sync client puts on deleting it.',
    additionalProperties: false,
    properties: {
      path: { type: 'string' },
      id: uuid,
      rev: { type: 'integer', minimum: 0, description: 'Only while the entry is at this revision (409 `stale_revision` otherwise)' },
      recursive: { type: 'boolean', default: true, description: 'false: a folder only when nothing live is in it (409 `not_empty` otherwise)' },
    },
    oneOf: [{ required: ['path'] }, { required: ['id'] }],
  },
  MoveOrCopy: {
    type: 'object',
    required: ['to'],
    additionalProperties: false,
    properties: { from: { type: 'string', description: 'Source path' }, id: { ...uuid, description: 'Source id' }, to: { type: 'string', description: 'Target path' } },
    oneOf: [{ required: ['from'] }, { required: ['id'] }],
  },
  Revision: {
    type: 'object',
    required: ['rev', 'size', 'contentHash', 'createdAt', 'restoredFrom'],
    properties: {
      rev: { type: 'integer', minimum: 1 },
      size: { type: 'integer', minimum: 0 },
      contentHash: { type: 'string' },
      createdAt: timestamp,
      authorId: { ...nullable(uuid), description: 'Who wrote it' },
      deviceId: { ...nullable(uuid), description: 'From which device' },
      restoredFrom: { ...nullable({ type: 'integer' }), description: 'The revision this one restored, if any' },
    },
  },
  ChangeEntry: {
    type: 'object',
    description: 'One change as devices see it; path and details as they were at the time.',
    required: ['seq', 'op', 'fileId', 'rev', 'name', 'deviceId', 'at'],
    properties: {
      seq: { type: 'integer' },
      op: { type: 'string', enum: ['create', 'update', 'delete', 'restore', 'move', 'mkdir', 'pending', 'purge'] },
      fileId: nullable(uuid),
      rev: nullable({ type: 'integer' }),
      path: { type: 'string', description: 'Where the entry is after the change, when recorded' },
      name: { type: 'string' },
      parentId: nullable(uuid),
      isDir: { type: 'boolean' },
      size: { type: 'integer' },
      contentHash: { type: 'string' },
      from: { type: 'string', description: 'A move’s old path' },
      oldParentId: nullable(uuid),
      deviceId: nullable(uuid),
      at: timestamp,
    },
  },
  Notification: {
    type: 'object',
    required: ['id', 'kind', 'fileId', 'payload', 'createdAt', 'readAt'],
    properties: {
      id: uuid,
      kind: { type: 'string', enum: ['edit', 'delete', 'share', 'conflict'] },
      fileId: nullable(uuid),
      payload: { type: 'object', description: 'What happened (path, name, device, …)' },
      createdAt: timestamp,
      readAt: nullable(timestamp),
    },
  },
  PurgeResult: {
    type: 'object',
    required: ['files', 'folders', 'freedBytes'],
    properties: {
      files: { type: 'integer', minimum: 0, description: 'Files deleted for good' },
      folders: { type: 'integer', minimum: 0 },
      freedBytes: { type: 'integer', minimum: 0, description: 'What the owner’s usage went down by' },
    },
  },
  RevisionList: {
    type: 'object',
    required: ['revisions'],
    properties: { revisions: { type: 'array', items: schema('Revision'), description: 'Newest first' } },
  },
  ResumableStart: {
    type: 'object',
    required: ['path'],
    properties: {
      path: { type: 'string' },
      size: { type: 'integer', minimum: 0, description: 'Total size, when known up front' },
      baseRev: { type: 'integer', minimum: 0, description: 'The revision this upload replaces' },
      overwrite: { type: 'boolean', description: 'Replace whatever revision is there' },
    },
  },
};

const parameters: Record<string, Json> = {
  PathQuery: { name: 'path', in: 'query', required: true, schema: { type: 'string' }, description: 'Absolute path, e.g. `/Photos/cat.jpg`' },
  IdPath: { name: 'id', in: 'path', required: true, schema: uuid },
  RevQuery: { name: 'rev', in: 'query', required: false, schema: { type: 'integer', minimum: 1 }, description: 'A revision (default: the head)' },
  LimitQuery: { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000 } },
  CsrfHeader: {
    name: 'X-Coffer-CSRF',
    in: 'header',
    required: false,
    schema: { type: 'string', enum: ['1'] },
    description: 'Required (value `1`) on unsafe methods authenticated by the session cookie',
  },
};

export const components: Json = {
  schemas,
  responses: errorResponses,
  parameters,
  securitySchemes: {
    bearerAuth: { type: 'http', scheme: 'bearer', description: 'A device, CLI or app-password token (`Authorization: Bearer <token>`)' },
    cookieAuth: {
      type: 'apiKey',
      in: 'cookie',
      name: 'coffer_session',
      description: 'Browser session (set by login with `cookie: true`); unsafe methods also need `X-Coffer-CSRF: 1`',
    },
  },
};
