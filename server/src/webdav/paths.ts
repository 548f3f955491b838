/**
 * WebDAV URLs and the tree: `/dav/a/b` and `/dav/files/USERNAME/a/b` name the caller's `/a/b`.
 * Segments are percent-decoded here, then checked by the same name rules as the REST API.
 * Answers carry hrefs built from the stored spelling, each segment percent-encoded.
 */
import type { AuthUser } from '../auth/context.js';
import { BadRequestError } from '../http-errors.js';
import { MAX_PATH_DEPTH, nameKey, normalizeName } from '../names.js';
import { WEBDAV_PREFIX, WEBDAV_USER_PREFIX } from '@coffer/protocol';

export interface DavPath {
  /** The href prefix the client used: `/dav` or `/dav/files/USERNAME`. */
  base: string;
  /** Names from the root, NFC. */
  segments: string[];
}

/** The path a request URL's pathname names for this user (400 for names the tree cannot hold). */
export function davPathOf(pathname: string, user: AuthUser): DavPath {
  const rest = pathname.slice(WEBDAV_PREFIX.length);
  let raw = rest.split('/').filter((s) => s !== '');
  let base = WEBDAV_PREFIX;
  // The per-user root only for the caller's own name: a folder of theirs called "files" stays reachable.
  if (raw[0] === 'files' && raw[1] !== undefined && safeDecode(raw[1]).toLowerCase() === user.username.toLowerCase()) {
    base = `${WEBDAV_USER_PREFIX}/${raw[1]}`;
    raw = raw.slice(2);
  }
  return { base, segments: decodeSegments(raw) };
}

/** A Destination header's URL, on this server: its path in the caller's tree (400 when elsewhere or unreadable). */
export function destinationOf(header: string | undefined, requestUrl: URL, user: AuthUser): DavPath {
  if (!header) throw new BadRequestError('COPY and MOVE need a Destination header', { code: 'bad_request' });
  let url: URL;
  try {
    url = new URL(header, requestUrl);
  } catch {
    throw new BadRequestError('the Destination header is not a URL');
  }
  // RFC 4918 allows 502 here; a 4xx says better that the request, not a gateway, is at fault.
  if (url.host !== requestUrl.host) throw new BadRequestError('the Destination is on another server: COPY and MOVE stay on this one');
  if (url.pathname !== WEBDAV_PREFIX && !url.pathname.startsWith(`${WEBDAV_PREFIX}/`)) {
    throw new BadRequestError('the Destination is outside the WebDAV tree (/dav/)');
  }
  return davPathOf(url.pathname, user);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new BadRequestError('the URL has a malformed percent-encoding', { code: 'invalid_name' });
  }
}

function decodeSegments(raw: string[]): string[] {
  if (raw.length > MAX_PATH_DEPTH) throw new BadRequestError(`the path is deeper than ${MAX_PATH_DEPTH} levels`, { code: 'invalid_path' });
  return raw.map((s) => normalizeName(safeDecode(s)));
}

/** The href of a path under `base`; collections end with '/'. */
export function hrefOf(base: string, segments: readonly string[], collection: boolean): string {
  const path = segments.map(encodeSegment).join('/');
  return `${base}/${path}${collection && path !== '' ? '/' : ''}`;
}

/** Percent-encode all but unreserved characters and a few safe sub-delims (clients compare hrefs decoded). */
export function encodeSegment(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The key locks are held under: names compared as the tree compares them (case-insensitively). */
export function lockKeyOf(segments: readonly string[]): string {
  return `/${segments.map(nameKey).join('/')}`;
}

/** '/a/b' → ['a', 'b']; '/' → []. */
export function storedSegments(treePath: string): string[] {
  return treePath === '/' ? [] : treePath.slice(1).split('/');
}
