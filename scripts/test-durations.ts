/**
 * npm run -s test:durations -- REPORT.json [MORE.json…]: writes test-support/test-durations.json (each test
 * file's seconds, the order `npm test` runs them in on a clean clone: test-support/src/
 * slowest-first.ts) from a Vitest JSON report, e.g. of
 * `npx vitest run --reporter=default --reporter=json --outputFile.json=REPORT.json`.
 * Several reports (e.g. of runs over parts of the suite) are merged, a later one's figure winning.
 * Rerun it when files are added or get much slower; a stale entry only costs ordering.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';

const Report = z.object({ testResults: z.array(z.object({ name: z.string(), startTime: z.number(), endTime: z.number() })) });
const inputs = process.argv.slice(2);
if (inputs.length === 0) throw new Error('usage: npm run -s test:durations -- REPORT.json [MORE.json…]');
const ROOT = join(import.meta.dirname, '..');
const seconds = new Map<string, number>();
for (const input of inputs) {
  for (const r of Report.parse(JSON.parse(readFileSync(input, 'utf8'))).testResults) {
    seconds.set(relative(ROOT, r.name), Math.max(0.1, Math.round((r.endTime - r.startTime) / 100) / 10));
  }
}
const rows = [...seconds].sort((a, b) => b[1] - a[1]);
const out = join(ROOT, 'test-support', 'test-durations.json');
writeFileSync(out, `${JSON.stringify(Object.fromEntries(rows), null, 2)}\n`);
console.log(`${rows.length} files, ${Math.round(rows.reduce((s, r) => s + r[1], 0))} s in all → ${relative(ROOT, out)}`);
