/**
 * `coffer-admin export USER DIR [--from /PATH]`: a user's own files (not the trash, not shares
 * others mounted in their tree) written out as they are stored, head revisions, with their
 * modification times; each file written to a temporary name and renamed when complete. DIR must
 * be empty or new.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, utimes } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { rowsOf } from '../../db/open.js';
import { blocksOfVersion } from '../../files/versions.js';
import { AdminError, openInstallWithStorage, parse, print } from '../context.js';
import { namedUser } from '../user-arg.js';
import { formatSize } from '../size.js';

interface Entry {
  id: string;
  path: string;
  is_dir: boolean;
  head_version_id: string | null;
  modified_at: string | Date;
}

export async function exportTree(args: string[]): Promise<void> {
  const { positionals, values } = parse(args, { from: { type: 'string' } }, { min: 2, max: 2, usage: 'export USER DIR [--from /PATH]' });
  const out = resolve(positionals[1]!);
  if ((await readdir(out).catch(() => [])).length > 0) throw new AdminError(`${out} is not empty: export into a new or empty folder`);
  const from = '/' + (values.from ?? '').replace(/^\/+|\/+$/g, '');
  const install = await openInstallWithStorage();
  let count = 0;
  let bytes = 0;
  try {
    const { db } = install.database;
    const user = await namedUser(db, positionals[0]!);
    // Paths built down from the root of the user's namespace: live entries, mounts of others' shares left out.
    const entries = rowsOf<Entry>(
      await db.execute(sql`with recursive tree as (
          select id, '/' || name as path, is_dir, head_version_id, modified_at from files
            where namespace_id = ${user.namespaceId} and parent_id is null and trashed_at is null and mount_share_id is null
          union all
          select f.id, t.path || '/' || f.name, f.is_dir, f.head_version_id, f.modified_at from files f join tree t on f.parent_id = t.id
            where f.trashed_at is null and f.mount_share_id is null)
        select * from tree order by path`),
    ).filter((e) => from === '/' || e.path === from || e.path.startsWith(from + '/'));
    if (from !== '/' && !entries.some((e) => e.path === from && e.is_dir)) throw new AdminError(`${user.username} has no folder ${from}`);
    await mkdir(out, { recursive: true });
    const local = (p: string) => join(out, ...(from === '/' ? p : p.slice(from.length)).split('/').filter(Boolean));
    for (const e of entries) {
      if (e.is_dir) {
        await mkdir(local(e.path), { recursive: true });
        continue;
      }
      if (!e.head_version_id) continue; // an upload that never committed: nothing to read
      const target = local(e.path);
      const tmp = `${target}.coffer-export.partial`;
      const blocks = await blocksOfVersion(db, e.head_version_id);
      await pipeline(Readable.from(install.storage.files.read(blocks)), createWriteStream(tmp, { flags: 'wx' }));
      await rename(tmp, target);
      const when = new Date(e.modified_at);
      await utimes(target, when, when);
      count++;
      bytes += blocks.reduce((a, b) => a + b.size, 0);
    }
  } finally {
    await install.close();
  }
  print(`exported ${count} files (${formatSize(bytes)}) to ${out}`);
}
