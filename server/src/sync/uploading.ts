/**
 * The `uploading` event (issue 21): a big new file's pack of blocks is stored, and the uploader's
 * other devices hear which blocks, where in the file — so that one may fetch them while the rest
 * still uploads (they are readable to the user before the commit: blocks/readable.ts) instead of
 * the whole file only after it. A wake-up like every published event: a device that misses one
 * simply fetches those blocks after the commit, as before; so a failure to publish is logged,
 * never the request's.
 */
import type { Db } from '../db/open.js';
import { componentLogger, logError } from '../observability/log.js';
import { publish } from './hub.js';

const log = componentLogger('sync');
/** What one event may hold besides its path: NOTIFY payloads stay under ~7.9 KB (hub.ts). */
const EVENT_BYTES = 7_000;

export interface UploadedBlock {
  hash: string;
  size: number;
}

/** Tell `userId`'s connections that `blocks`, one after the other from `offset` of `file`, are stored. */
export async function announceUploading(db: Db, userId: string, file: { path: string; size: number }, offset: number, blocks: readonly UploadedBlock[]): Promise<void> {
  const room = EVENT_BYTES - Buffer.byteLength(JSON.stringify(file.path));
  if (room < 200 || blocks.length === 0) return; // a path too long to announce: the blocks come after the commit
  try {
    let at = offset;
    let group: UploadedBlock[] = [];
    let bytes = 0;
    const send = async () => {
      if (group.length === 0) return;
      await publish(db, userId, { type: 'uploading', path: file.path, size: file.size, offset: at, blocks: group });
      at += group.reduce((n, b) => n + b.size, 0);
      group = [];
      bytes = 0;
    };
    for (const b of blocks) {
      const entry = { hash: b.hash, size: b.size };
      const more = Buffer.byteLength(JSON.stringify(entry)) + 1;
      if (bytes + more > room) await send();
      group.push(entry);
      bytes += more;
    }
    await send();
  } catch (err) {
    logError('uploading: announcing stored blocks failed', err, log);
  }
}
