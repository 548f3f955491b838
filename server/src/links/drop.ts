/**
 * A file dropped through a `drop` link: a stranger's name made into one Coffer stores (never an
 * error for a name a browser or OS allows elsewhere), numbered "name (1).ext" when the folder has
 * it already (nothing dropped ever replaces a file), then stored through the one upload path
 * (uploads/simple.ts → commit.ts) as the owner's file, charged to the owner's quota. The owner's
 * inbox hears of it (`link_drop`).
 */
import { and, eq, isNull, like } from 'drizzle-orm';
import type { AppDeps } from '../deps.js';
import { files } from '../db/schema.js';
import { BadRequestError, HttpError } from '../http-errors.js';
import { MAX_NAME_BYTES, nameKey, normalizeName, splitExtension, truncateUtf8, uniqueName } from '../names.js';
import { simpleUpload } from '../uploads/simple.js';
import { noticeDrop } from './drop-notice.js';
import type { LinkTarget } from './link-access.js';

/**
 * Any text → a valid name: the last segment of a path a browser may send ('C:\\x\\a.txt'),
 * control characters and lone surrogates dropped, trailing dots and spaces cut, a Windows device
 * name prefixed with '_', at most 255 UTF-8 bytes keeping the extension; nothing left → 'file'.
 */
export function sanitizeDropName(raw: string): string {
  let n = raw.replace(/\p{Cs}/gu, '').normalize('NFC');
  n = n.split(/[/\\]/).pop() ?? '';
  n = n.replace(/\p{Cc}/gu, '').trim().replace(/[. ]+$/u, '');
  if (n === '' || n === '.' || n === '..') n = 'file';
  if (Buffer.byteLength(n) > MAX_NAME_BYTES) {
    const { stem, ext } = splitExtension(n);
    n = truncateUtf8(stem, MAX_NAME_BYTES - Buffer.byteLength(ext)).replace(/[. ]+$/u, '') + ext;
  }
  n ||= 'file';
  try {
    return normalizeName(n);
  } catch (err) {
    // A Windows device name ('NUL.txt') is the one refusal left: names.ts knows the list.
    if (err instanceof BadRequestError && (err.details as { reason?: string } | undefined)?.reason === 'reserved') return normalizeName(truncateUtf8(`_${n}`, MAX_NAME_BYTES));
    throw err;
  }
}

export interface Dropped {
  name: string;
  size: number;
}

export async function dropFile(deps: AppDeps, t: LinkTarget, rawName: string, length: number | undefined, body: ReadableStream<Uint8Array> | null): Promise<Dropped> {
  const wanted = sanitizeDropName(rawName);
  const name = await freeName(deps, t, wanted);
  const { row, path } = await simpleUpload(deps, t.owner, { path: `${t.path}/${name}`, length, baseRev: null, overwrite: false }, body).catch((err: unknown) => {
    // Another drop took the name between the look and the commit: say so, the dropper sends again.
    if (err instanceof HttpError && err.code === 'exists') throw new HttpError(409, 'name_taken', 'Another file took that name meanwhile: send it again');
    throw err;
  });
  // After the commit, in its own transaction: a lost notification must never lose the file.
  await deps.db.transaction((tx) => noticeDrop(tx, t, { id: row.id, name: row.name, path, size: row.size }));
  return { name: row.name, size: row.size };
}

/** The name, or the first "name (n).ext" free in the drop folder (live entries; names are case-insensitive). */
async function freeName(deps: AppDeps, t: LinkTarget, name: string): Promise<string> {
  const { stem } = splitExtension(name);
  // Numbered names continue their count ('a (3).txt' → 'a (4).txt'): look at every number of the base.
  const prefix = nameKey(stem.replace(/ \(\d{1,9}\)$/u, '')).replace(/[\\%_]/g, (m) => `\\${m}`);
  const rows = await deps.db
    .select({ key: files.nameKey })
    .from(files)
    .where(and(eq(files.namespaceId, t.entry.namespaceId), eq(files.parentId, t.entry.id), isNull(files.trashedAt), like(files.nameKey, `${prefix}%`)));
  const taken = new Set(rows.map((r) => r.key));
  return uniqueName(name, (key) => taken.has(key));
}
