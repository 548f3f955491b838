/**
 * Properties of a resource as PROPFIND answers them: the live `DAV:` ones computed from the row
 * (and RFC 4331 quota), the dead ones as stored. Built by string templates: a PROPFIND of 1,000
 * children is one pass over rows already fetched, no per-child await.
 */
import { WEBDAV_LIMITS, WEBDAV_LIVE_PROPS } from '@coffer/protocol';
import type { FileRow } from '../files/view.js';
import { mediaType } from '../uploads/media-types.js';
import { resourceEtag } from './context.js';
import { covers, type LockRow } from './lock-store.js';
import type { DeadProp } from './prop-store.js';
import { escapeText, escapeXml } from './xml.js';

export const DAV = 'DAV:';

export interface PropName {
  ns: string;
  name: string;
}

export type PropRequest = { kind: 'allprop'; include: PropName[] } | { kind: 'propname' } | { kind: 'prop'; names: PropName[] };

/** What a listing shows of an entry (PROPFIND fetches only these columns). */
export type PropRow = Pick<FileRow, 'id' | 'name' | 'isDir' | 'size' | 'contentHash' | 'createdAt' | 'modifiedAt'>;

export interface PropSource {
  href: string;
  row?: PropRow;
  isRoot: boolean;
  lockKey: string;
  dead: DeadProp[];
  /** Live locks near the resource (lockdiscovery keeps those covering it). */
  locks: LockRow[];
  quota?: { used: number; available: number };
  /** Href base for lock roots. */
  base: string;
}

/** Live properties `allprop` includes (RFC 4331 quota ones only when named). */
const ALLPROP_LIVE = WEBDAV_LIVE_PROPS.filter((p) => !p.startsWith('quota-'));

/** `<D:propstat>` blocks of one resource, inside its `<D:response>`. */
export function responseXml(src: PropSource, req: PropRequest): string {
  const found: string[] = [];
  const missing: string[] = [];
  if (req.kind === 'propname') {
    for (const p of liveNames(src)) found.push(`<D:${p}/>`);
    for (const d of src.dead) found.push(emptyElement(d.ns, d.name));
  } else if (req.kind === 'allprop') {
    for (const p of ALLPROP_LIVE) {
      const v = live(src, p);
      if (v !== undefined) found.push(v);
    }
    for (const d of src.dead) found.push(d.value);
    for (const n of req.include) {
      if (n.ns === DAV && !ALLPROP_LIVE.includes(n.name as never)) {
        const v = live(src, n.name);
        if (v !== undefined) found.push(v);
      }
    }
  } else {
    for (const n of req.names) {
      const v = n.ns === DAV ? live(src, n.name) : undefined;
      const d = v === undefined ? src.dead.find((x) => x.ns === n.ns && x.name === n.name) : undefined;
      if (v !== undefined) found.push(v);
      else if (d) found.push(d.value);
      else missing.push(emptyElement(n.ns, n.name));
    }
  }
  let out = `<D:response><D:href>${escapeText(src.href)}</D:href>`;
  if (found.length > 0 || missing.length === 0) out += `<D:propstat><D:prop>${found.join('')}</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>`;
  if (missing.length > 0) out += `<D:propstat><D:prop>${missing.join('')}</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>`;
  return `${out}</D:response>`;
}

export function emptyElement(ns: string, name: string): string {
  return ns === DAV ? `<D:${name}/>` : `<${name} xmlns="${escapeXml(ns)}"/>`;
}

function liveNames(src: PropSource): string[] {
  return WEBDAV_LIVE_PROPS.filter((p) => live(src, p) !== undefined);
}

function live(src: PropSource, name: string): string | undefined {
  const row = src.row;
  const isDir = src.isRoot || row?.isDir === true;
  switch (name) {
    case 'resourcetype':
      return isDir ? '<D:resourcetype><D:collection/></D:resourcetype>' : '<D:resourcetype/>';
    case 'displayname':
      return `<D:displayname>${escapeText(row?.name ?? '')}</D:displayname>`;
    case 'getcontentlength':
      return isDir ? undefined : `<D:getcontentlength>${row?.size ?? 0}</D:getcontentlength>`;
    case 'getcontenttype':
      return isDir || !row ? undefined : `<D:getcontenttype>${escapeText(mediaType(row.name))}</D:getcontenttype>`;
    case 'getetag': {
      const e = resourceEtag(row);
      return e === undefined ? undefined : `<D:getetag>${escapeText(e)}</D:getetag>`;
    }
    case 'getlastmodified':
      return row ? `<D:getlastmodified>${row.modifiedAt.toUTCString()}</D:getlastmodified>` : undefined;
    case 'creationdate':
      return row ? `<D:creationdate>${row.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z')}</D:creationdate>` : undefined;
    case 'supportedlock':
      return SUPPORTED_LOCK;
    case 'lockdiscovery':
      return `<D:lockdiscovery>${src.locks
        .filter((l) => covers(l, src.lockKey))
        .map((l) => activeLockXml(l, src.base, l.pathKey === src.lockKey ? src.href : undefined))
        .join('')}</D:lockdiscovery>`;
    case 'quota-available-bytes':
      return src.quota ? `<D:quota-available-bytes>${src.quota.available}</D:quota-available-bytes>` : undefined;
    case 'quota-used-bytes':
      return src.quota ? `<D:quota-used-bytes>${src.quota.used}</D:quota-used-bytes>` : undefined;
    default:
      return undefined;
  }
}

const SUPPORTED_LOCK =
  '<D:supportedlock>' +
  '<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>' +
  '<D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>' +
  '</D:supportedlock>';

/** One `<D:activelock>`; its root is `rootHref` (the resource's own href, when the lock is on it),
 *  else built from the lock's key (an ancestor's names as compared: case-folded). */
export function activeLockXml(l: LockRow, base: string, rootHref?: string): string {
  const remaining = Math.max(0, Math.round((l.expiresAt.getTime() - Date.now()) / 1000));
  const root = rootHref ?? `${base}${l.pathKey === '/' ? '/' : l.pathKey.split('/').map(encodeURIComponent).join('/')}`;
  return (
    '<D:activelock>' +
    '<D:locktype><D:write/></D:locktype>' +
    `<D:lockscope>${l.exclusive ? '<D:exclusive/>' : '<D:shared/>'}</D:lockscope>` +
    `<D:depth>${l.depthInfinity ? 'infinity' : '0'}</D:depth>` +
    (l.ownerXml ? `<D:owner>${l.ownerXml}</D:owner>` : '') +
    `<D:timeout>Second-${Math.min(remaining, WEBDAV_LIMITS.maxLockSeconds)}</D:timeout>` +
    `<D:locktoken><D:href>${escapeText(l.token)}</D:href></D:locktoken>` +
    `<D:lockroot><D:href>${escapeText(root)}</D:href></D:lockroot>` +
    '</D:activelock>'
  );
}

export const MULTISTATUS_OPEN = '<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:">';
export const MULTISTATUS_CLOSE = '</D:multistatus>';
