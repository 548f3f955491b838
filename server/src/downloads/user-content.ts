/**
 * How user bytes are served (DESIGN §6): a file a user stored must never run script with anyone's
 * session on the API's origin. Every response carrying stored content — a download by path, id or
 * revision, a block by hash — gets these headers:
 *
 * - `X-Content-Type-Options: nosniff`: the browser takes our type and never guesses another from
 *   the bytes. Our type comes only from the name's extension through our own table (nothing a
 *   client declares is kept), so a `.png` holding HTML is an image that fails to decode.
 * - `Content-Security-Policy` with `default-src 'none'` and `sandbox`: even if a browser rendered
 *   the bytes as a document, it gets no script, no plugin, no form, no subresource, and an opaque
 *   origin (no cookies, no storage, no same-origin requests).
 * - `Content-Disposition: attachment` unless inline was asked for and the type is one no browser
 *   runs script from. Everything else — HTML, XHTML, SVG, XML (it can pull in XSLT and HTML
 *   namespaces), JavaScript, CSS, PDF (it carries JavaScript and forms, and a sandboxed PDF viewer
 *   would not render anyway), unknown types — is an attachment, whatever was asked.
 *
 * Previews of active types come from elsewhere (server/README.md, "How user content is served").
 */
import { contentDisposition } from './disposition.js';
import { mediaType } from '../uploads/media-types.js';

/** Nothing runs, nothing loads, and the document's origin is opaque. */
export const USER_CONTENT_CSP = "default-src 'none'; sandbox";

/**
 * Audio and video opened by themselves: the browser's media document loads the same URL again as
 * its media, which an opaque origin would make a cross-origin request (refused). Scripts stay
 * blocked twice over (the sandbox has no allow-scripts, script-src is 'none'); only the media may load.
 */
const MEDIA_CSP = "default-src 'none'; media-src 'self'; sandbox allow-same-origin";

/** Types that may be shown inline: raster images, audio, video, plain text and data shown as text. */
const INERT = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/bmp',
  'image/heic',
  'text/plain',
  'text/csv',
  'text/markdown',
  'application/json',
]);

function essence(type: string): string {
  return type.split(';')[0]!.trim().toLowerCase();
}

function isMedia(type: string): boolean {
  return /^(audio|video)\//.test(essence(type));
}

/** Whether bytes of this type may be served inline: no browser runs script from them. */
export function isInert(type: string): boolean {
  return INERT.has(essence(type)) || isMedia(type);
}

/** The headers for a stored file's bytes: its type, how to show it, and what it may never do. */
export function userContentHeaders(name: string, opts: { inline?: boolean; type?: string } = {}): Record<string, string> {
  const type = opts.type ?? mediaType(name);
  const inline = opts.inline === true && isInert(type);
  return {
    'Content-Type': type,
    'Content-Disposition': contentDisposition(name, inline),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': inline && isMedia(type) ? MEDIA_CSP : USER_CONTENT_CSP,
  };
}
