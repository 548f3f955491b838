/** The metadata schema (drizzle; PostgreSQL and PGlite alike), one file per concern. */
export * from './schema/accounts.js';
export * from './schema/engine.js';
export * from './schema/files.js';
export * from './schema/sync.js';
export * from './schema/notifications.js';
export * from './schema/jobs.js';
export * from './schema/quota.js';
export * from './schema/nodes.js';
export * from './schema/sharing.js';
export * from './schema/links.js';
export * from './schema/webdav.js';
export * from './schema/two-factor.js';
export * from './schema/stars.js';
export * from './schema/thumbnails.js';
export * from './schema/admin.js';
export * from './schema/sso.js';
