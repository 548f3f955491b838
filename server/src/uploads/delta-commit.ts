/**
 * A sync client's commit (DESIGN §5 delta sync, `POST /files/commit`): the blocks are on the
 * server already (PUT /blocks), the client names them in order with the revision its edit was
 * based on, and they become the file's new revision through the one commit path (commit.ts).
 * The first commit on a base revision wins; a later one gets 409 with the head revision, or —
 * when it asks with onConflict 'copy' — its content survives as a conflicted copy next to the file.
 */
import type { AuthUser } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { resolveBlockList, type ListedBlock } from './block-list.js';
import { commitUpload, type CommittedUpload } from './commit.js';
import { contentHashOf } from './content-hash.js';
import { checkQuota } from './limits.js';
import { uploadTarget, type CommitRule } from './target.js';

export interface SyncCommit extends CommitRule {
  path: string;
  size: number;
  /** In file order. */
  blocks: readonly ListedBlock[];
  /** 'fail': a lost race is 409. 'copy': the content becomes a conflicted copy instead. */
  onConflict: 'fail' | 'copy';
  /** The file's modification time on the device, kept as the entry's modifiedAt. */
  mtime?: Date;
}

export async function commitSync(deps: Pick<AppDeps, 'db' | 'storage'>, user: AuthUser, c: SyncCommit): Promise<CommittedUpload> {
  // Cheap refusals before the block list is looked up (the commit checks them again, exactly).
  const target = await uploadTarget(deps.db, user, c.path, c.size, c.onConflict === 'fail' ? c : undefined);
  await checkQuota(deps.db, target.namespaceId, c.size, target.existing?.size ?? 0);
  const blocks = await resolveBlockList(deps.db, deps.storage, user.namespaceId, c.blocks, c.size);
  // The same content hash a simple upload of these bytes gets: sha256 over the blocks' sha256s.
  const content = { blocks, size: c.size, contentHash: contentHashOf(c.blocks), mtime: c.mtime };
  return commitUpload(deps.db, { user, target, content, rule: c, onConflict: c.onConflict });
}
