/**
 * Which answered requests carried a file's bytes, by route pattern: the metrics' uploads and
 * downloads. One table, so a new way in is one line here.
 */
export interface Transfer {
  direction: 'upload' | 'download';
  /** api (REST), sync (single blocks), webdav, link (public links and drops). */
  via: 'api' | 'sync' | 'webdav' | 'link';
}

const TABLE: readonly [method: string, route: string, transfer: Transfer][] = [
  ['POST', '/api/v1/upload', { direction: 'upload', via: 'api' }],
  ['PUT', '/api/v1/upload/sessions/:id', { direction: 'upload', via: 'api' }],
  ['PUT', '/api/v1/blocks/:sha256', { direction: 'upload', via: 'sync' }],
  ['PUT', '/api/v1/blocks/:sha256/encoded', { direction: 'upload', via: 'sync' }],
  ['POST', '/api/v1/blocks/pack/encoded', { direction: 'upload', via: 'sync' }],
  ['PUT', '/dav/*', { direction: 'upload', via: 'webdav' }],
  ['POST', '/s/:token/upload', { direction: 'upload', via: 'link' }],
  ['GET', '/api/v1/download', { direction: 'download', via: 'api' }],
  ['GET', '/api/v1/files/:id/content', { direction: 'download', via: 'api' }],
  ['GET', '/api/v1/files/:id/zip', { direction: 'download', via: 'api' }],
  ['GET', '/api/v1/blocks/:sha256', { direction: 'download', via: 'sync' }],
  ['GET', '/dav/*', { direction: 'download', via: 'webdav' }],
  ['GET', '/s/:token/download', { direction: 'download', via: 'link' }],
];

const BY_KEY = new Map(TABLE.map(([m, r, t]) => [`${m} ${r}`, t]));

/** The transfer a successful (2xx) answer to `method route` was, if any. */
export function transferOf(method: string, route: string, status: number): Transfer | undefined {
  if (status < 200 || status >= 300) return undefined;
  return BY_KEY.get(`${method} ${route}`);
}
