/**
 * Resumable uploads (the Google Drive protocol): a session is created with the target path, then
 * PUT pieces with `Content-Range` arrive, each chunked into blocks stored by the engine. What a
 * 308 reports is durable: blocks in the engine plus their list in the session row, and the bytes
 * after the last content-defined boundary stored as a block of their own (the tail), re-chunked
 * with the next piece so the final block list is what a one-shot upload would give. Session
 * state lives in the database, so an upload survives a server restart and may continue on
 * another server instance.
 *
 * Quota: before a piece is read, the session's reservation grows to the piece's last byte
 * (quota/reservations.ts), so a piece that would pass the quota — or, unsized, 10 GiB — is
 * refused (507 / 413) before any of it is stored. Commit, cancel and expiry release it.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { AuthUser } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import type { Db } from '../db/open.js';
import { files, uploadSessions, type UploadedBlock } from '../db/schema.js';
import { pathOf } from '../files/tree.js';
import type { FileRow } from '../files/view.js';
import { BadRequestError, ConflictError, HttpError, NotFoundError } from '../http-errors.js';
import { requestBytes, type RequestBody } from './body.js';
import { contentHashOf } from './content-hash.js';
import type { PieceRange } from './content-range.js';
import { release, reserve, shrink, type ReservationKey } from '../quota/reservations.js';
import { checkRoom } from '../quota/usage.js';
import { isId } from '@coffer/protocol';
import { commitContent } from './commit.js';
import { checkFileSize, fileTooLarge, MAX_FILE_BYTES } from './limits.js';
import { compressible } from './media-types.js';
import { abandonUpload, fileForUpload, uploadTarget, type CommitRule } from './target.js';

/** A session lives a week, as Google Drive's do. */
const SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

type Session = typeof uploadSessions.$inferSelect;

export type PieceResult = { kind: 'incomplete'; received: number } | { kind: 'committed'; row: FileRow; path: string };

export interface NewSession extends CommitRule {
  path: string;
  size?: number;
}

export async function startSession(deps: AppDeps, user: AuthUser, s: NewSession): Promise<Session> {
  const target = await uploadTarget(deps.db, user, s.path, s.size, s);
  // Early: the pieces will have to reserve all of it (a replaced file's bytes stay stored as a revision).
  await checkRoom(deps.db, target.namespaceId, s.size ?? 0); // the owner's, in a shared folder
  return deps.db.transaction(async (tx) => {
    const file = await fileForUpload(tx, target, { pending: true, deviceId: user.deviceId });
    const [row] = await tx
      .insert(uploadSessions)
      .values({
        userId: user.id,
        namespaceId: target.namespaceId, // the owner's, in a shared folder: its quota holds the pieces
        fileId: file.id,
        parentId: target.parentId,
        name: target.name,
        size: s.size ?? null,
        baseRev: s.baseRev,
        overwrite: s.overwrite ? 'yes' : 'no',
        deviceId: user.deviceId ?? null,
        expiresAt: new Date(Date.now() + SESSION_TTL_MS),
      })
      .returning();
    return row!;
  });
}

/** One PUT at a time per session in this process; the conditional update guards across instances. */
const busy = new Set<string>();

export async function putPiece(deps: AppDeps, user: AuthUser, id: string, range: PieceRange, body: RequestBody): Promise<PieceResult> {
  if (busy.has(id)) throw new ConflictError('another request is uploading to this session right now', { code: 'session_busy' });
  busy.add(id);
  try {
    return await put(deps, user, await ownSession(deps, user, id), range, body);
  } finally {
    busy.delete(id);
  }
}

export async function cancelSession(deps: AppDeps, user: AuthUser, id: string): Promise<void> {
  const s = await ownSession(deps, user, id);
  if (s.committedRev !== null) throw new ConflictError('the upload has already completed', { code: 'already_committed' });
  await deps.db.transaction(async (tx) => {
    await abandonUpload(tx, s.fileId, s.id);
    await dropSession(tx, s.id);
  });
}

/** The session's row and its quota reservation go together (cancel, expiry, GC). */
export async function dropSession(tx: Db, id: string): Promise<void> {
  await release(tx, 'session', [id]);
  await tx.delete(uploadSessions).where(eq(uploadSessions.id, id));
}

function reservationOf(id: string): ReservationKey {
  return { kind: 'session', ref: id };
}

async function ownSession(deps: AppDeps, user: AuthUser, id: string): Promise<Session> {
  const [s] = isId(id) ? await deps.db.select().from(uploadSessions).where(eq(uploadSessions.id, id)) : [];
  if (!s || s.userId !== user.id) throw new NotFoundError('no such upload session', { code: 'no_session' });
  if (s.committedRev === null && s.expiresAt.getTime() < Date.now()) {
    await deps.db.transaction(async (tx) => {
      await abandonUpload(tx, s.fileId, s.id);
      await dropSession(tx, s.id);
    });
    throw new NotFoundError('the upload session has expired; start a new one', { code: 'session_expired' });
  }
  return s;
}

async function put(deps: AppDeps, user: AuthUser, s: Session, range: PieceRange, body: RequestBody): Promise<PieceResult> {
  if (s.committedRev !== null) return committed(deps, s);
  const total = range.total ?? s.size ?? undefined;
  if (range.total !== undefined && s.size !== null && range.total !== s.size) {
    throw new BadRequestError(`the upload was declared as ${s.size} bytes, not ${range.total}`, { code: 'size_mismatch' });
  }
  checkFileSize(total);
  if (total !== undefined && s.received > total) {
    throw new BadRequestError(`${s.received} bytes are already stored, more than ${total}`, { code: 'size_mismatch' });
  }
  if (range.kind === 'status') {
    if (total !== undefined && s.received === total) return finish(deps, user, await remember(deps, s, { size: total }), s.blocks, s.tail);
    return { kind: 'incomplete', received: s.received };
  }
  if (range.start > s.received) {
    throw new HttpError(416, 'range_gap', `this piece starts at byte ${range.start} but only ${s.received} bytes are stored; resume from ${s.received}`, {
      headers: s.received > 0 ? { Range: `bytes=0-${s.received - 1}` } : {},
      details: { received: s.received },
    });
  }
  // An unsized session is stopped at 10 GiB and at the quota as it grows, before the piece is read.
  if (range.end + 1 > MAX_FILE_BYTES) throw fileTooLarge(range.end + 1);
  if (range.end + 1 > s.received) {
    await reserve(deps.db, { ...reservationOf(s.id), namespaceId: s.namespaceId, bytes: range.end + 1, expiresAt: s.expiresAt });
  }
  const size = s.size ?? total ?? null;
  const base = s.blocks.reduce((n, b) => n + b.size, 0);
  const tailBytes = s.tail ? await deps.storage.blocks.get(s.tail.key) : undefined;
  const { start, end } = range;
  async function* source() {
    if (tailBytes) yield tailBytes;
    yield* requestBytes(body, {
      skip: s.received - start,
      limit: end + 1 - s.received,
      tooLarge: () => new BadRequestError('the body is longer than its Content-Range says', { code: 'body_too_long' }),
      release: true,
    });
  }
  // Progress is recorded as it goes: a crash or a dropped connection loses at most a checkpoint's worth.
  let recorded = s.received;
  const save = async (stored: UploadedBlock[], tail: UploadedBlock | null, received: number) => {
    const ok = await deps.db
      .update(uploadSessions)
      .set({ blocks: stored, tail, received, size })
      .where(and(eq(uploadSessions.id, s.id), eq(uploadSessions.received, recorded), isNull(uploadSessions.committedRev)))
      .returning({ id: uploadSessions.id });
    if (ok.length === 0) throw new ConflictError('the upload session changed under this request', { code: 'session_busy' });
    recorded = received;
  };
  let blocks: UploadedBlock[];
  let tail: UploadedBlock | null = null;
  let received: number;
  try {
    const written = await deps.storage.files.write(s.namespaceId, source(), {
      holdLast: true,
      compress: compressible(s.name),
      onCheckpoint: (prefix, bytes) => save([...s.blocks, ...prefix.map(stored)], null, base + bytes),
    });
    blocks = [...s.blocks, ...written.blocks.map(stored)];
    if (written.rest) {
      const put = await deps.storage.blocks.put(s.namespaceId, written.rest, { compress: compressible(s.name) });
      tail = { key: put.key, hash: put.hash, size: written.rest.byteLength };
    }
    received = base + written.size + (tail?.size ?? 0);
    await save(blocks, tail, received);
  } catch (err) {
    // Cut short: the session keeps (and holds quota for) only what is durably recorded — unless
    // another request took the session over meanwhile, whose piece the reservation now covers.
    const overtaken = err instanceof HttpError && err.code === 'session_busy';
    if (!overtaken) await shrink(deps.db, reservationOf(s.id), recorded).catch(() => undefined);
    throw err;
  }
  if (total !== undefined && received > total) {
    throw new BadRequestError(`received ${received} bytes, more than the ${total} declared`, { code: 'size_mismatch' });
  }
  if (total !== undefined && received === total) return finish(deps, user, { ...s, size: total }, blocks, tail);
  return { kind: 'incomplete', received };
}

/** All bytes are in: commit the blocks (the tail is the last block) as the file's new revision. */
async function finish(deps: AppDeps, user: AuthUser, s: Session, blocks: UploadedBlock[], tail: UploadedBlock | null): Promise<PieceResult> {
  const all = tail ? [...blocks, tail] : blocks;
  const content = { blocks: all, size: all.reduce((n, b) => n + b.size, 0), contentHash: contentHashOf(all) };
  return deps.db.transaction(async (tx) => {
    const row = await commitContent(tx, {
      user,
      content,
      fileId: s.fileId,
      rule: { baseRev: s.baseRev, overwrite: s.overwrite === 'yes' },
      deviceId: s.deviceId,
      reservation: reservationOf(s.id),
      sessionId: s.id,
    });
    await tx.update(uploadSessions).set({ committedRev: row.rev, blocks: all, tail: null }).where(eq(uploadSessions.id, s.id));
    return { kind: 'committed', row, path: await pathOf(tx, row) };
  });
}

async function committed(deps: AppDeps, s: Session): Promise<PieceResult> {
  const [row] = await deps.db.select().from(files).where(eq(files.id, s.fileId));
  if (!row) throw new NotFoundError('the uploaded file has since been deleted', { code: 'file_gone' });
  return { kind: 'committed', row, path: await pathOf(deps.db, row) };
}

async function remember(deps: AppDeps, s: Session, change: { size: number }): Promise<Session> {
  if (s.size === change.size) return s;
  await deps.db.update(uploadSessions).set(change).where(eq(uploadSessions.id, s.id));
  return { ...s, ...change };
}

function stored(b: { key: string; hash: string; size: number }): UploadedBlock {
  return { key: b.key, hash: b.hash, size: b.size };
}
