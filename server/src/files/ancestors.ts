/**
 * The walk up a file's ancestors, written once: `up(id, parent_id, name, depth)` holds `startId`
 * (depth 0) and every folder above it, bounded by MAX_PATH_DEPTH so even a corrupt cycle cannot
 * spin. Callers follow it with their own `select … from up` (or add more CTEs after a comma).
 */
import { sql, type SQL } from 'drizzle-orm';
import { MAX_PATH_DEPTH } from '../names.js';

export function ancestorsCte(startId: string): SQL {
  return sql`with recursive up(id, parent_id, name, depth) as (
      select id, parent_id, name, 0 from files where id = ${startId}
      union all
      select f.id, f.parent_id, f.name, up.depth + 1 from files f join up on f.id = up.parent_id where up.depth <= ${MAX_PATH_DEPTH}
    )`;
}
