/**
 * PGlite only (db/open.ts): how db/raw.ts runs a hot-path statement on the embedded database.
 * Each statement text is PREPAREd once for the session (PGlite has exactly one, for its life) and
 * then EXECUTEd with its values written in as literals (sql-literal.ts), by the simple protocol.
 * Measured per call against a parameterised `query`: six trips into the wasm become two (~50 µs
 * of CPU), and the call itself is no longer parsed and planned each time (another ~15-30 µs).
 * The texts are the code's constants, so the set of prepared statements stays small.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { RawQuery } from './handle.js';
import { literal } from './sql-literal.js';

/** Past this many distinct texts (a caller building statement texts), statements are no longer prepared. */
const MAX_PREPARED = 100;

export function pgliteRawQuery(client: PGlite): RawQuery {
  const prepared = new Map<string, Promise<string>>();
  const prepare = (text: string): Promise<string> | undefined => {
    let name = prepared.get(text);
    if (!name && prepared.size < MAX_PREPARED) {
      const id = `coffer_hot_${prepared.size + 1}`;
      // Stored at once, so concurrent first calls share one PREPARE; forgotten again if it fails.
      name = client.exec(`prepare ${id} as ${text}`).then(() => id);
      name.catch(() => prepared.delete(text));
      prepared.set(text, name);
    }
    return name;
  };
  return async (text, params) => {
    const name = prepare(text);
    const args = params.map(literal).join(', ');
    const sql = name ? `execute ${await name}${params.length > 0 ? `(${args})` : ''}` : inline(text, params);
    const [result] = await client.exec(sql);
    return (result?.rows ?? []) as Record<string, unknown>[];
  };
}

/** The statement with its values written in place of $1, $2, … */
function inline(text: string, params: readonly unknown[]): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => {
    const i = Number(n) - 1;
    if (i < 0 || i >= params.length) throw new RangeError(`no value for $${n}`);
    return literal(params[i]);
  });
}
