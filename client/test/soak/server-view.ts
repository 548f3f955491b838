/**
 * What the server holds, read over its HTTP API (the test user's token, straight to the server,
 * not through a gate): the live tree under the synced folder with contents, and — to tell a lost
 * content from one that survives only as an old revision or in the trash — the tag of every
 * revision of every file the journal ever named.
 */
import type { ServerProcess } from '@coffer/server/testing/server-process';
import type { Tree } from '../sim/checks.js';
import { short } from '../sim/user-ops.js';

interface Entry {
  id: string;
  name: string;
  isDir: boolean;
}

async function json<T>(srv: ServerProcess, path: string): Promise<T> {
  const r = await srv.call('GET', `/api/v1${path}`);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body.toString('utf8').slice(0, 300)}`);
  return r.json<T>();
}

/** The live tree below `root` (relative path → content, null for a folder). */
export async function serverTree(srv: ServerProcess, root: string): Promise<{ tree: Tree; liveIds: Set<string> }> {
  const tree: Tree = new Map();
  const liveIds = new Set<string>();
  const visit = async (rel: string): Promise<void> => {
    const dir = rel ? `${root}/${rel}` : root;
    let cursor = '';
    do {
      const page = await json<{ entries: Entry[]; cursor?: string }>(srv, `/list?path=${encodeURIComponent(dir)}&limit=1000&cursor=${encodeURIComponent(cursor)}`);
      for (const e of page.entries) {
        const p = rel ? `${rel}/${e.name}` : e.name;
        liveIds.add(e.id);
        if (e.isDir) {
          tree.set(p, null);
          await visit(p);
        } else {
          const r = await srv.call('GET', `/api/v1/files/${e.id}/content`);
          tree.set(p, r.status === 200 ? r.body.toString('utf8') : `<${r.status}>`);
        }
      }
      cursor = page.cursor ?? '';
    } while (cursor);
  };
  await visit('');
  return { tree, liveIds };
}

/** Where each content tag ever committed is now: 'head' of a live file, 'old' revision of a live file, or 'trash'. */
export async function revisionTags(srv: ServerProcess, liveIds: Set<string>): Promise<Map<string, 'head' | 'old' | 'trash'>> {
  const ids = new Set<string>();
  let cursor = 0;
  for (;;) {
    const page = await json<{ entries: { fileId: string | null; isDir?: boolean; op: string }[]; cursor: number; has_more: boolean }>(srv, `/changes?cursor=${cursor}&limit=2000`);
    for (const e of page.entries) if (e.fileId && e.isDir !== true && (e.op === 'create' || e.op === 'update')) ids.add(e.fileId);
    cursor = page.cursor;
    if (!page.has_more) break;
  }
  const where = new Map<string, 'head' | 'old' | 'trash'>();
  const rank = { head: 3, old: 2, trash: 1 } as const;
  for (const id of ids) {
    // In the trash itself or below a trashed folder: not live.
    const trashed = !liveIds.has(id);
    const list = await srv.call('GET', `/api/v1/files/${id}/revisions?limit=1000`);
    if (list.status !== 200) continue; // purged
    const { revisions } = list.json<{ revisions: { rev: number }[] }>();
    for (const [i, r] of revisions.entries()) {
      const head = await srv.call('GET', `/api/v1/files/${id}/content?rev=${r.rev}`, { headers: { range: 'bytes=0-63' } });
      if (head.status !== 200 && head.status !== 206) continue;
      const tag = short(head.body.toString('utf8'));
      const w = trashed ? 'trash' : i === 0 ? 'head' : 'old';
      const before = where.get(tag);
      if (!before || rank[w] > rank[before]) where.set(tag, w);
    }
  }
  return where;
}
