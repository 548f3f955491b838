/**
 * Simple upload: one request, the body streamed through the chunker into the engine, committed
 * as a new revision. A large (or unsized) upload shows a pending entry while it streams.
 */
import type { AuthUser } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { commitNewFile } from '../files/first-version.js';
import { commitVersion } from '../files/versions.js';
import type { FileRow } from '../files/view.js';
import { requestBytes } from './body.js';
import { checkFileSize, checkQuota, fileTooLarge, MAX_FILE_BYTES } from './limits.js';
import { abandonUpload, checkRule, fileForUpload, resolveTarget, type CommitRule } from './target.js';
import { compressible } from './media-types.js';

/** Below this a file arrives too fast for a pending entry to help anyone (and it costs a transaction). */
const PENDING_FROM_BYTES = 8 * 1024 * 1024;
/** Below this an early quota check saves the client little and costs every small upload a query. */
const EARLY_QUOTA_CHECK_FROM = 4 * 1024 * 1024;

export interface SimpleUpload extends CommitRule {
  path: string;
  /** Content-Length, when the client sent one. */
  length?: number;
}

export async function simpleUpload(deps: AppDeps, user: AuthUser, up: SimpleUpload, body: ReadableStream<Uint8Array> | null): Promise<{ row: FileRow; path: string }> {
  checkFileSize(up.length);
  const target = await resolveTarget(deps.db, user, up.path);
  checkRule(target.existing, up);
  // Early 507 for what is worth refusing before the bytes travel; the commit checks exactly anyway.
  if ((up.length ?? 0) >= EARLY_QUOTA_CHECK_FROM) await checkQuota(deps.db, user.namespaceId, up.length, target.existing?.size ?? 0);

  const showPending = up.length === undefined || up.length >= PENDING_FROM_BYTES;
  const pendingRow = showPending ? await deps.db.transaction((tx) => fileForUpload(tx, target, { pending: true, deviceId: user.deviceId })) : undefined;
  try {
    const written = await deps.storage.files.write(
      user.namespaceId,
      requestBytes(body, { limit: MAX_FILE_BYTES, tooLarge: () => fileTooLarge(MAX_FILE_BYTES + 1) }),
      { compress: compressible(target.name) },
    );
    const version = { blocks: written.blocks, size: written.size, contentHash: written.contentHash, authorId: user.id, deviceId: user.deviceId };
    // A name that was free is committed in one statement; whatever that declines takes the general path.
    const isNew = !target.existing && !pendingRow;
    const fresh = isNew ? await commitNewFile(deps.db, { ...version, namespaceId: target.namespaceId, parentId: target.parentId, name: target.name }) : undefined;
    const row =
      fresh ??
      (await deps.db.transaction(async (tx) => {
        const file = pendingRow ?? (await fileForUpload(tx, target, { pending: false, deviceId: user.deviceId }));
        return commitVersion(tx, { ...version, fileId: file.id, baseRev: up.baseRev, overwrite: up.overwrite });
      }));
    return { row, path: target.path };
  } catch (err) {
    if (pendingRow) await deps.db.transaction((tx) => abandonUpload(tx, pendingRow.id)).catch(() => undefined);
    throw err;
  }
}
