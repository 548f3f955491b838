/**
 * node --import ./scripts/profile-pglite.mjs server/src/main.ts (or TRACE_SERVER_ARGS, trace-sync-latency.ts):
 * where an embedded server's time in PGlite goes, by statement. PGlite runs Postgres as wasm on
 * the main thread, and a CPU profile shows that time as anonymous wasm with no caller (the calls
 * settle in later microtasks); this times each trip into it (`execProtocolRawSync`) and names it by
 * the statement: the text of a Parse (drizzle's statements; Bind and Execute follow it under
 * PGlite's lock, so they count to it), or of a simple query, with `execute coffer_hot_N(...)`
 * counted to the statement db/pglite-statements.ts prepared under that name.
 *
 * At exit the totals go to COFFER_PGLITE_PROFILE (default /tmp/pglite-profile-PID.txt), most
 * time first: ms, trips, statement. A diagnostic, never loaded by the product.
 */
import { writeFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';

const out = process.env.COFFER_PGLITE_PROFILE || `/tmp/pglite-profile-${process.pid}.txt`;
const totals = new Map(); // statement → [ms, trips]
const prepared = new Map(); // coffer_hot_N → its text
const text = new TextDecoder();
let parsed = '';

/** The statement a protocol message (one or more, the first one's type decides) belongs to. */
function statementOf(msg) {
  const type = String.fromCharCode(msg[0]);
  const body = () => text.decode(msg.subarray(5, Math.min(msg.length, 5 + 4096))).split('\0');
  if (type === 'Q') {
    const sql = body()[0].trim();
    const prep = /^prepare (coffer_hot_\d+) as (.*)$/s.exec(sql);
    if (prep) {
      prepared.set(prep[1], prep[2]);
      return `(prepare) ${prep[2]}`;
    }
    const exec = /^execute (coffer_hot_\d+)/.exec(sql);
    return exec ? (prepared.get(exec[1]) ?? sql) : sql;
  }
  if (type === 'P') return (parsed = body()[1] ?? '');
  return parsed;
}

const original = PGlite.prototype.execProtocolRawSync;
if (typeof original !== 'function') throw new Error('profile-pglite: this PGlite has no execProtocolRawSync');
PGlite.prototype.execProtocolRawSync = function (msg, ...rest) {
  const key = statementOf(msg).replace(/\s+/g, ' ').slice(0, 160);
  const t = performance.now();
  try {
    return original.call(this, msg, ...rest);
  } finally {
    const sum = totals.get(key) ?? [0, 0];
    sum[0] += performance.now() - t;
    sum[1]++;
    totals.set(key, sum);
  }
};

process.on('exit', () => {
  const rows = [...totals].sort((a, b) => b[1][0] - a[1][0]);
  const all = rows.reduce((n, [, [ms]]) => n + ms, 0);
  const lines = rows.map(([k, [ms, n]]) => `${ms.toFixed(1).padStart(9)} ${String(n).padStart(7)}  ${k}`);
  writeFileSync(out, `${all.toFixed(1).padStart(9)} ms in PGlite in all\n${'ms'.padStart(9)} ${'trips'.padStart(7)}  statement\n${lines.join('\n')}\n`);
});
