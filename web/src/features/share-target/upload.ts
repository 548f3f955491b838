/**
 * Puts shared files into the drive: the folder first (with its parents), then each file under a
 * free name ("photo (2).jpg" when "photo.jpg" is taken).
 */
import { userOperations as ops } from '@coffer/protocol';
import { ApiError, call } from '../../api/client';

export async function ensureFolder(path: string): Promise<void> {
  try {
    await call(ops.mkdir, { body: { path, parents: true } });
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 409)) throw err;
  }
}

/** "photo.jpg" → "photo (n).jpg" */
function numbered(name: string, n: number): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

/** One file's bytes in one request. When the upload engine (features/transfers) is on main, this
 *  is the one line to switch to it, so shared files get its resumable, deduplicated uploads. */
async function sendFile(path: string, file: Blob): Promise<void> {
  await call(ops.upload, { query: { uploadType: 'media', path }, raw: file });
}

/** Uploads `file` as `folder/name`, numbering the name while it is taken; answers the path used. */
export async function uploadShared(folder: string, name: string, file: Blob): Promise<string> {
  const base = folder === '/' ? '' : folder;
  for (let n = 1; ; n++) {
    const path = `${base}/${n === 1 ? name : numbered(name, n)}`;
    try {
      await sendFile(path, file);
      return path;
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 409) || n >= 50) throw err;
    }
  }
}
