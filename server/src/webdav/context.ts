/** What every WebDAV method handler is given, and the resource a URL names. */
import type { Context } from 'hono';
import type { AuthUser } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import type { Db } from '../db/open.js';
import { can } from '../files/access.js';
import { walkPath } from '../files/tree.js';
import { etagOf, type FileRow } from '../files/view.js';
import { joinPath } from '../names.js';
import { lockKeyOf, type DavPath } from './paths.js';

export interface DavContext {
  c: Context;
  deps: AppDeps;
  user: AuthUser;
  url: URL;
  path: DavPath;
}

export interface Resource {
  segments: string[];
  /** The entry, when the path names one the caller may read (never for the root). */
  row?: FileRow;
  isRoot: boolean;
  exists: boolean;
  isDir: boolean;
  /** The folder it is (or would be) in exists. */
  parentExists: boolean;
  /** The path as stored (case as stored for what exists), for the services. */
  treePath: string;
  lockKey: string;
}

/** One walk of the path (one statement), through the same permission function as REST. */
export async function resolveResource(db: Db, user: AuthUser, segments: string[]): Promise<Resource> {
  const lockKey = lockKeyOf(segments);
  if (segments.length === 0) return { segments, isRoot: true, exists: true, isDir: true, parentExists: true, treePath: '/', lockKey };
  const walked = await walkPath(db, user.namespaceId, segments);
  const parentExists = segments.length === 1 || (walked.length >= segments.length - 1 && walked[segments.length - 2]!.isDir);
  let row = walked.length === segments.length ? walked.at(-1) : undefined;
  if (row && !(await can(db, user, 'read', row))) row = undefined;
  const stored = [...walked.slice(0, segments.length).map((r) => r.name), ...segments.slice(walked.length)];
  return { segments, row, isRoot: false, exists: row !== undefined, isDir: row?.isDir ?? false, parentExists, treePath: joinPath(stored), lockKey };
}

/** The ETag WebDAV shows: the REST API's for files (content hash); folders change with their modification time. */
export function resourceEtag(row: Pick<FileRow, 'id' | 'isDir' | 'modifiedAt' | 'contentHash'> | undefined): string | undefined {
  if (!row) return undefined;
  if (row.isDir) return `"d${row.modifiedAt.getTime().toString(36)}-${row.id.slice(0, 8)}"`;
  return row.contentHash ? etagOf(row.contentHash) : undefined;
}
