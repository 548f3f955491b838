/**
 * Where a preview's bytes come from. In the drive: the API's content URL (the session cookie
 * rides along, so <img>/<video> load it directly). On a public link page: /s/{token}/download,
 * and when the link has a password only fetch() can send it, so media become blob: URLs.
 */
import { userOperations as ops, type FileView } from '@coffer/protocol';
import { send, urlOf } from '../../api/client';

export interface PreviewSource {
  /** A stable key (the entry's id and revision): a new key reloads the preview. */
  key: string;
  name: string;
  size: number;
  /** A URL the browser may load itself (img, video, audio); undefined when only fetch can (a password). */
  inlineUrl?: string;
  /** An image's URL (a thumbnail where the server makes them; inlineUrl is the fallback when it fails). */
  imageUrl?: string;
  /** A URL that downloads the file (a plain link), when one works without extra headers. */
  downloadUrl?: string;
  /** The bytes, optionally a range (text previews read only the start). */
  fetch(init: { signal: AbortSignal; range?: [number, number] }): Promise<Response>;
}

/** A file of the signed-in user's drive. */
export function driveSource(f: FileView): PreviewSource {
  const params = { id: f.id };
  return {
    key: `${f.id}@${f.rev}`,
    name: f.name,
    size: f.size,
    inlineUrl: urlOf(ops.downloadById, { params, query: { inline: true } }),
    // The server's 1024 px WebP (made once, cached): a phone does not pull a 20 MB photo to show
    // it on a 6-inch screen. The hash makes the URL name one content, so it caches for good.
    imageUrl: urlOf(ops.getThumbnail, { params, query: { size: '1024', ...(f.contentHash ? { hash: f.contentHash } : {}) } }),
    downloadUrl: urlOf(ops.downloadById, { params }),
    fetch: ({ signal, range }) => send(ops.downloadById, { params, signal, headers: range ? { range: `bytes=${range[0]}-${range[1]}` } : {} }),
  };
}
