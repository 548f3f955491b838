/**
 * The share inbox: files another app shared to Coffer, which the service worker stored in the
 * Cache API (src/pwa/sw.ts) until this page uploads them.
 */
import { SHARE_CACHE, SHARE_INBOX_PREFIX, SHARED_NAME_HEADER } from '../../pwa/caches';

export interface SharedFile {
  /** The inbox entry's key (to delete it once uploaded). */
  key: string;
  name: string;
  type: string;
  file: Blob;
}

export async function listInbox(): Promise<SharedFile[]> {
  if (!('caches' in window)) return [];
  const cache = await caches.open(SHARE_CACHE);
  const out: SharedFile[] = [];
  for (const req of await cache.keys()) {
    if (!new URL(req.url).pathname.startsWith(SHARE_INBOX_PREFIX)) continue;
    const res = await cache.match(req);
    if (!res) continue;
    const name = decodeURIComponent(res.headers.get(SHARED_NAME_HEADER) ?? '') || 'shared';
    const type = res.headers.get('content-type') ?? 'application/octet-stream';
    out.push({ key: req.url, name, type, file: await res.blob() });
  }
  return out;
}

export async function removeFromInbox(key: string): Promise<void> {
  const cache = await caches.open(SHARE_CACHE);
  await cache.delete(key);
}
