/**
 * @coffer/protocol — the wire contract of Coffer: every shape on the wire, defined once.
 * Browser-safe: zod and web platform globals only; no I/O.
 */
export * from './fields.js';
export * from './cursors.js';
export * from './errors.js';
export * from './blocks.js';
export * from './limits.js';
export * from './operation.js';
export * from './events.js';
export * from './http-names.js';
export * from './json-encoding.js';
export * from './missing-bits.js';
export * from './openapi.js';
export * from './shapes/account.js';
export * from './shapes/admin.js';
export * from './shapes/admin-audit.js';
export * from './shapes/admin-overview.js';
export * from './shapes/admin-people.js';
export * from './shapes/admin-settings.js';
export * from './shapes/admin-storage.js';
export * from './shapes/files.js';
export * from './shapes/health.js';
export * from './shapes/links.js';
export * from './shapes/notifications.js';
export * from './shapes/sharing.js';
export * from './shapes/sync.js';
export * from './shapes/wire.js';
export * from './shapes/batch.js';
export * from './pack-body.js';
export * from './entry-pack.js';
export * from './shapes/batch-download.js';
export * from './shapes/transfer.js';
export * from './shapes/twofactor.js';
export * from './shapes/sso.js';
export * from './shapes/cli-output.js';
export * from './shapes/lifecycle.js';
export { timestamp } from './shapes/common.js';
export { operations, userOperations, ALL_OPERATIONS, type Operations } from './operations/index.js';
export * from './webdav.js';
export * from './copy-names.js';
export * from './chunking/gear-table.js';
export * from './chunking/fastcdc.js';
