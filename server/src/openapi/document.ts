/**
 * The OpenAPI 3.1 description of /api/v1 (served at /api/v1/openapi.json), assembled from the
 * per-area path files. server/API.md is the human contract; this is its machine-readable form and
 * server/test/openapi.test.ts checks that every route the app registers is described here.
 */
import { adminStoragePaths } from './paths-admin-storage.js';
import { authPaths } from './paths-auth.js';
import { filePaths } from './paths-files.js';
import { syncPaths } from './paths-sync.js';
import { transferPaths } from './paths-transfer.js';
import type { Json } from './helpers.js';
import { components } from './schemas.js';

export const API_VERSION = '1';

function build(): Json {
  const paths: Record<string, Json> = {};
  for (const part of [authPaths, adminStoragePaths, filePaths, transferPaths, syncPaths]) {
    for (const [path, item] of Object.entries(part)) {
      if (paths[path]) throw new Error(`openapi: ${path} is described twice`);
      paths[path] = item;
    }
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: {
      title: 'Coffer API',
      version: API_VERSION,
      summary: 'Self-hosted file storage and sync',
      description:
        'JSON under `/api/v1`. Errors are always `{ "error": { "code", "message", "details"? } }`. Paths are ' +
        '`/`-separated, NFC, case-insensitive per folder; a path or id the caller cannot reach answers 404 exactly ' +
        'like a missing one. Authenticate with `Authorization: Bearer <token>` or the `coffer_session` cookie ' +
        '(unsafe methods with the cookie also need `X-Coffer-CSRF: 1`). Changes and notifications are also pushed ' +
        'over a websocket at `/api/v1/events` (same credentials).',
      license: { name: 'Proprietary' },
    },
    servers: [{ url: '/api/v1', description: 'This server' }],
    security: [{ bearerAuth: [] }, { cookieAuth: [] }],
    tags: [
      { name: 'meta', description: 'This description' },
      { name: 'auth', description: 'Signing in and out' },
      { name: 'account', description: 'The caller’s account, app passwords and devices' },
      { name: 'admin', description: 'Accounts, roles and quotas; storage nodes, background jobs, degraded blocks (admin role)' },
      { name: 'files', description: 'The file tree' },
      { name: 'trash', description: 'Deleted entries' },
      { name: 'transfer', description: 'Uploads (simple and resumable) and downloads' },
      { name: 'revisions', description: 'A file’s history' },
      { name: 'sync', description: 'Delta sync: blocks by hash, commits from blocks, the change journal' },
      { name: 'notifications', description: 'The notification inbox' },
    ],
    paths,
    components,
  };
}

let cached: { doc: Json; text: string } | undefined;

/** The document (built once; the same object on every call). */
export function openapiDocument(): Json {
  cached ??= (() => {
    const doc = build();
    return { doc, text: JSON.stringify(doc) };
  })();
  return cached.doc;
}

/** The document serialised once, for serving. */
export function openapiJson(): string {
  openapiDocument();
  return cached!.text;
}
