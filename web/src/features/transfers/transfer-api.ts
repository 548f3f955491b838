/** The upload engine's calls over HTTP: each an operation of @coffer/protocol. */
import { missingFromBits, userOperations as ops, wholeCommit, wholeResults } from '@coffer/protocol';
import { call, send } from '../../api/client';
import type { BatchApi } from './batch-upload';
import type { UploadApi } from './upload-engine';

export const httpUploadApi: UploadApi & BatchApi = {
  async missing(hashes, signal) {
    const ans = await call(ops.missingBlocks, { body: { hashes }, signal });
    // Asked without ?answer=bits: the hashes come back; the bitmap is read too, should a server send it.
    return new Set('missing' in ans ? ans.missing : (missingFromBits(hashes, ans.missingBits) ?? hashes));
  },
  async putBlock(hash, body, signal) {
    const res = await send(ops.putBlock, { params: { sha256: hash }, raw: body, signal });
    await res.body?.cancel();
  },
  // Never asked in brief (the app shows the entry the server made).
  commit: async (req, signal) => wholeCommit(await call(ops.commitFromBlocks, { body: req, signal })),
  async putPack(pack, signal) {
    await call(ops.putPack, { raw: pack, signal });
  },
  commitBatch: async (files, signal) => wholeResults((await call(ops.commitBatch, { body: { files }, signal })).results),
};

/** Create `path` and its missing parents; a folder that is there already is fine. */
export async function ensureFolder(path: string): Promise<void> {
  try {
    await call(ops.mkdir, { body: { path, parents: true } });
  } catch (err) {
    if ((err as { code?: string }).code !== 'name_taken') throw err;
  }
}
