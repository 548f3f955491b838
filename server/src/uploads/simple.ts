/**
 * Simple upload: one request, the body streamed through the chunker into the engine, committed
 * as a new revision. A large (or unsized) upload shows a pending entry while it streams, and
 * holds a quota reservation for its bytes until its commit settles it (quota/reservations.ts).
 */
import { randomUUID } from 'node:crypto';
import type { AuthUser } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import type { FileRow } from '../files/view.js';
import { requestBytes, type RequestBody } from './body.js';
import { release, reserve } from '../quota/reservations.js';
import { reservedAhead } from '../quota/reserve-ahead.js';
import { commitUpload } from './commit.js';
import { fileTooLarge, MAX_FILE_BYTES } from './limits.js';
import { abandonUpload, fileForUpload, uploadTarget, type CommitRule } from './target.js';
import { compressible } from './media-types.js';

/** Below this a file arrives too fast for a pending entry to help anyone (and it costs a transaction). */
const PENDING_FROM_BYTES = 8 * 1024 * 1024;
/**
 * Below this (declared) size an upload reserves nothing: a reservation would cost every small
 * upload a statement, and what one can store past the quota is this little, only until its
 * commit refuses it (the commit checks exactly, reservations included). Unsized uploads reserve.
 */
const RESERVE_FROM_BYTES = 4 * 1024 * 1024;
/** A simple upload's reservation outlives any request; GC releases it after a crash. */
const RESERVATION_MS = 24 * 3600 * 1000;

export interface SimpleUpload extends CommitRule {
  path: string;
  /** Content-Length, when the client sent one. */
  length?: number;
  /** The modification time the client keeps for the file (WebDAV's X-OC-Mtime), set by the commit. */
  mtime?: Date;
}

export async function simpleUpload(deps: AppDeps, user: AuthUser, up: SimpleUpload, body: RequestBody): Promise<{ row: FileRow; path: string }> {
  const target = await uploadTarget(deps.db, user, up.path, up.length, up);
  const reservation =
    up.length === undefined || up.length >= RESERVE_FROM_BYTES
      ? { kind: 'upload' as const, ref: randomUUID(), namespaceId: target.namespaceId, expiresAt: new Date(Date.now() + RESERVATION_MS) }
      : undefined;
  // A declared size is reserved whole before the bytes travel (507 at once when it cannot fit).
  if (reservation && up.length !== undefined) await reserve(deps.db, { ...reservation, bytes: up.length });

  const showPending = up.length === undefined || up.length >= PENDING_FROM_BYTES;
  const pendingRow = showPending ? await deps.db.transaction((tx) => fileForUpload(tx, target, { pending: true, deviceId: user.deviceId })) : undefined;
  try {
    const bytes = requestBytes(body, { limit: MAX_FILE_BYTES, tooLarge: () => fileTooLarge(MAX_FILE_BYTES + 1), release: true });
    // Unsized: reserved a step ahead as the body streams, and stopped at the quota.
    const source =
      reservation && up.length === undefined
        ? reservedAhead(bytes, (atLeast, upTo) => reserve(deps.db, { ...reservation, bytes: Math.min(upTo, MAX_FILE_BYTES), minimum: atLeast }))
        : bytes;
    const content = await deps.storage.files.write(user.namespaceId, source, { compress: compressible(target.name) });
    const { row, path } = await commitUpload(deps.db, { user, target, content: up.mtime ? { ...content, mtime: up.mtime } : content, rule: up, pendingId: pendingRow?.id, reservation });
    return { row, path };
  } catch (err) {
    if (pendingRow) await deps.db.transaction((tx) => abandonUpload(tx, pendingRow.id)).catch(() => undefined);
    // What was stored is garbage for GC; it no longer counts against the quota (expiry would release it otherwise).
    if (reservation) await release(deps.db, 'upload', [reservation.ref]).catch(() => undefined);
    throw err;
  }
}
