/**
 * npm run bench:web [-- --only listing,scroll,upload --runs 7 --backend pglite|postgres --upload-mib 1024]
 *
 * The web app's benchmarks (issue 17's "Done when"), each a section in scripts/bench-web/ that
 * measures its own figures next to its target or denominator in the same run:
 *  - listing (listing.ts `benchListing`): time to first listing on loopback, cold and warm;
 *  - scroll (scroll.ts `benchScroll`): frame times while scrolling a 10,000-entry folder;
 *  - upload (upload.ts `benchUpload`): browser upload throughput of a big file beside `coffer put`.
 * A section whose file is not there yet is skipped with a note. Prints a table per section, then
 * the whole report as one JSON line (`bench:web {…}`) for tools.
 */
import { scriptOptions } from './options.js';
import type { SectionReport } from './bench-web/section.js';

const opt = scriptOptions(
  { only: 'listing,scroll,upload', runs: 7, backend: 'pglite', 'upload-mib': 1024 },
  'npm run bench:web [-- --only listing,scroll,upload --runs 7 --backend pglite|postgres --upload-mib 1024]',
);

interface Section {
  name: string;
  file: string;
  fn: string;
  /** What the section's function is called with (each keeps its own defaults otherwise). */
  options: object;
}

const SECTIONS: Section[] = [
  { name: 'listing', file: './bench-web/listing.js', fn: 'benchListing', options: { runs: opt.runs, backend: opt.backend } },
  { name: 'scroll', file: './bench-web/scroll.js', fn: 'benchScroll', options: {} },
  { name: 'upload', file: './bench-web/upload.js', fn: 'benchUpload', options: { sizeMiB: opt['upload-mib'] } },
];

function isReport(x: unknown): x is SectionReport {
  return typeof x === 'object' && x !== null && Array.isArray((x as SectionReport).figures);
}

function printTable(r: SectionReport): void {
  console.log(`\n${r.section}`);
  const width = Math.max(...r.figures.map((f) => f.metric.length), 10);
  for (const f of r.figures) {
    const verdict = f.ok === undefined ? '' : f.ok ? '  ok' : '  MISSED';
    console.log(`  ${f.metric.padEnd(width)}  ${String(f.value).padStart(9)} ${f.unit.padEnd(5)} ${f.target ? `(target ${f.target})` : ''}${verdict}`);
  }
  for (const n of r.notes ?? []) console.log(`  · ${n}`);
}

const wanted = new Set(opt.only.split(',').map((s) => s.trim()).filter(Boolean));
for (const w of wanted) if (!SECTIONS.some((s) => s.name === w)) {
  console.error(`no section ${w}; there are: ${SECTIONS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const report: { sections: unknown[]; skipped: { section: string; why: string }[]; failed: { section: string; error: string }[] } = { sections: [], skipped: [], failed: [] };
console.log(`Coffer web benchmarks: ${[...wanted].join(', ')} (listing: ${opt.runs} runs on ${opt.backend}; upload: ${opt['upload-mib']} MiB)`);
for (const s of SECTIONS) {
  if (!wanted.has(s.name)) continue;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(s.file)) as Record<string, unknown>;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    // Only the section's own file missing is a skip; a module it imports missing is a failure.
    const own = new RegExp(`Cannot find module '[^']*${s.file.slice(2).replace(/\.js$/, '')}(?:\\.[jt]s)?'`);
    if (e.code === 'ERR_MODULE_NOT_FOUND' && own.test(String(e.message))) {
      report.skipped.push({ section: s.name, why: `${s.file.replace(/\.js$/, '.ts')} is not there yet` });
      console.log(`\n${s.name}: skipped (scripts/${s.file.slice(2).replace(/\.js$/, '.ts')} is not there yet)`);
      continue;
    }
    report.failed.push({ section: s.name, error: `cannot load ${s.file}: ${e.message}` });
    console.error(`\n${s.name}: FAILED to load: ${e.message}`);
    continue;
  }
  const fn = mod[s.fn];
  if (typeof fn !== 'function') {
    report.skipped.push({ section: s.name, why: `${s.file} exports no ${s.fn}()` });
    console.log(`\n${s.name}: skipped (no ${s.fn}() exported)`);
    continue;
  }
  try {
    const result: unknown = await (fn as (o: object) => Promise<unknown>)(s.options);
    report.sections.push(result);
    if (isReport(result)) printTable(result);
    else console.log(`\n${s.name}\n${JSON.stringify(result, null, 2)}`);
  } catch (err) {
    report.failed.push({ section: s.name, error: err instanceof Error ? err.message : String(err) });
    console.error(`\n${s.name}: FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}
console.log(`\nbench:web ${JSON.stringify(report)}`);
if (report.failed.length > 0) process.exitCode = 1;
