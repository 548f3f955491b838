/**
 * Errors as they may be written to the log. A database error carries its statement and its
 * parameters (drizzle's "Failed query: … params: …", the `query`/`params`/`parameters` fields of
 * postgres.js and PGlite errors), and parameters are user data: names, token hashes, emails,
 * whatever a client sent. The SQLSTATE code and PostgreSQL's own message say what went wrong and
 * the stack says where; nothing more of a database error reaches the log.
 */
const SQL_FIELDS = ['query', 'params', 'parameters'] as const;
const MAX_DEPTH = 5;

/** `err` itself, or for an error that carries SQL, a plain Error with its code, message and stack frames only. */
export function loggable(err: unknown): unknown {
  const chain = causes(err);
  if (!chain.some(carriesSql)) return err;
  const source = chain.find((e) => sqlState(e) !== undefined) ?? chain[chain.length - 1];
  const code = sqlState(source);
  const message = source instanceof Error && !isDrizzleWrapper(source) ? source.message : 'query failed';
  const safe = new Error(code ? `${code}: ${message}` : message);
  safe.name = 'DatabaseError';
  const frames = (err instanceof Error ? (err.stack ?? '') : '').split('\n').filter((l) => /^\s+at /.test(l));
  safe.stack = [`${safe.name}: ${safe.message}`, ...frames].join('\n');
  return safe;
}

/** One line for a log message or a stored `lastError`: `Name: message`, SQL left out. */
export function describeError(err: unknown): string {
  const e = loggable(err);
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

// Writing a line: `logError` in observability/log.ts (which applies `loggable` to every error).

function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err; e && typeof e === 'object' && out.length < MAX_DEPTH; e = (e as { cause?: unknown }).cause) out.push(e);
  return out;
}

function carriesSql(e: unknown): boolean {
  return SQL_FIELDS.some((f) => typeof e === 'object' && e !== null && f in e) || sqlState(e) !== undefined || isDrizzleWrapper(e);
}

/** The error's own SQLSTATE: five characters of [0-9A-Z], at least one a digit (every class has
 *  one; 'EPIPE' and other system codes have none). */
function sqlState(e: unknown): string | undefined {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^(?=.*\d)[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

function isDrizzleWrapper(e: unknown): boolean {
  return e instanceof Error && (e.name === 'DrizzleQueryError' || e.message.startsWith('Failed query:'));
}
