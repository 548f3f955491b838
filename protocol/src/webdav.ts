/**
 * WebDAV (RFC 4918, RFC 4331) as Coffer serves it under `/dav/`: the prefixes, the methods, the
 * properties and the limits clients can rely on. The wire format is XML, so the shapes here are
 * names and numbers, not zod schemas: the server's webdav/ builds and parses the XML from them.
 */

/** Where the WebDAV tree is mounted; `/dav/files/USERNAME/` is the same tree for clients that want a per-user root. */
export const WEBDAV_PREFIX = '/dav';
export const WEBDAV_USER_PREFIX = '/dav/files';

/** Every method the WebDAV face answers (OPTIONS `Allow`). */
export const WEBDAV_METHODS = ['OPTIONS', 'GET', 'HEAD', 'PUT', 'DELETE', 'MKCOL', 'COPY', 'MOVE', 'PROPFIND', 'PROPPATCH', 'LOCK', 'UNLOCK'] as const;
export type WebdavMethod = (typeof WEBDAV_METHODS)[number];

/** `DAV:` compliance classes announced: 1 (basic), 2 (locks), 3 (RFC 4918). */
export const WEBDAV_CLASSES = '1, 2, 3';

/** The live properties of the `DAV:` namespace the server computes (allprop answers all of them). */
export const WEBDAV_LIVE_PROPS = [
  'resourcetype',
  'displayname',
  'getcontentlength',
  'getcontenttype',
  'getetag',
  'getlastmodified',
  'creationdate',
  'supportedlock',
  'lockdiscovery',
  'quota-available-bytes',
  'quota-used-bytes',
] as const;
export type WebdavLiveProp = (typeof WEBDAV_LIVE_PROPS)[number];

/** Limits of what a client sends. */
export const WEBDAV_LIMITS = {
  /** Largest XML request body (PROPFIND, PROPPATCH, LOCK). */
  maxXmlBytes: 1024 * 1024,
  /** Dead properties per file, and the largest value of one (its XML). */
  maxPropsPerFile: 256,
  maxPropValueBytes: 64 * 1024,
  /** Lock timeouts: asked for `Infinite` or more, this is granted. */
  maxLockSeconds: 7 * 24 * 3600,
  defaultLockSeconds: 3600,
} as const;

/** Microsoft and ownCloud/Nextcloud headers clients use to keep a file's modification time. */
export const WEBDAV_MTIME_HEADER = 'x-oc-mtime';
