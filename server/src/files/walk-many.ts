/**
 * walkPath (tree.ts) for many paths of one namespace at once (a batch commit, uploads/batch-commit.ts):
 * the distinct folders are walked in one statement (coffer_walk each), then the last names of all
 * the paths are looked up in one more. Two statements instead of one per file; each answer is
 * what walkPath gives for that path. A path through a mounted share (its first entry is a mount)
 * answers undefined: the caller walks it alone (walkThroughMount).
 */
import type { Db } from '../db/open.js';
import { pgTextArray, rawValue } from '../db/raw.js';
import { tableRow } from '../db/table-row.js';
import { files } from '../db/schema.js';
import { nameKey } from '../names.js';
import type { FileRow } from './view.js';

/** coffer_walk's and the files_unique_live_name index's stand-in for the root (a null parent). */
const ROOT = '00000000-0000-0000-0000-000000000000';

export async function walkPaths(db: Db, namespaceId: string, paths: readonly (readonly string[])[]): Promise<(FileRow[] | undefined)[]> {
  const keys = paths.map((segs) => segs.map((s) => nameKey(s)));
  // The folders first: one walk per distinct folder path.
  const folderOf = (k: readonly string[]) => JSON.stringify(k.slice(0, -1));
  const folders = [...new Set(keys.filter((k) => k.length > 1).map(folderOf))];
  const walkedFolders = new Map<string, FileRow[]>([[JSON.stringify([]), []]]);
  if (folders.length > 0) {
    const walks = await rawValue<Record<string, unknown>[][]>(
      db,
      `select coalesce(json_agg(coffer_walk($1::uuid, array(select jsonb_array_elements_text(p))) order by n), '[]'::json) as v
       from jsonb_array_elements($2::jsonb) with ordinality as x(p, n)`,
      [namespaceId, `[${folders.join(',')}]`],
    );
    folders.forEach((f, i) => walkedFolders.set(f, (walks?.[i] ?? []).map((r) => tableRow(files, r))));
  }
  // Then every path's last name, in the folder its walk reached (when it reached it).
  const parents: (string | null | undefined)[] = keys.map((k) => {
    if (k.length === 0) return undefined;
    const walked = walkedFolders.get(folderOf(k))!;
    if (walked.length < k.length - 1) return undefined;
    const folder = walked.at(-1);
    if (folder && !folder.isDir) return undefined;
    return folder?.id ?? null;
  });
  const asked = keys.flatMap((k, i) => (parents[i] !== undefined ? [{ parent: parents[i] ?? ROOT, key: k.at(-1)! }] : []));
  const found = new Map<string, FileRow>();
  if (asked.length > 0) {
    const rows = await rawValue<Record<string, unknown>[]>(
      db,
      // One probe of files_unique_live_name per name (LATERAL … LIMIT 1 keeps the planner from
      // flattening it into a join): as a join, a generic plan on PGlite (which never ANALYZEs, so
      // it takes the namespace for one row) scanned the namespace's files once per name asked —
      // 1.5 s per batch at 12,000 files in bench:tree's all-in-one-go. A live name is unique there.
      `select coalesce(json_agg(row_to_json(f)), '[]'::json) as v
       from unnest($2::uuid[], $3::text[]) as w(parent, key)
       cross join lateral (
         select * from files
         where namespace_id = $1::uuid and coalesce(parent_id, '${ROOT}'::uuid) = w.parent and name_key = w.key and trashed_at is null
         limit 1
       ) f`,
      [namespaceId, pgTextArray(asked.map((a) => a.parent)), pgTextArray(asked.map((a) => a.key))],
    );
    for (const r of rows ?? []) {
      const row = tableRow(files, r);
      found.set(`${row.parentId ?? ROOT}/${row.nameKey}`, row);
    }
  }
  return keys.map((k, i) => {
    if (k.length === 0) return [];
    const walked = walkedFolders.get(folderOf(k))!;
    const parent = parents[i];
    const last = parent === undefined ? undefined : found.get(`${parent ?? ROOT}/${k.at(-1)!}`);
    const rows = last ? [...walked, last] : walked;
    return rows[0]?.mountShareId ? undefined : rows;
  });
}
