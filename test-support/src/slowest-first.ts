/**
 * The order `npm test` runs its files in: the longest first, so that the two workers end
 * together. Vitest orders by the durations it cached from the last run, and on a clean clone
 * (CI) — which has no cache — by file size, which put minute-long files last and left one worker
 * idle while the other ran them (minutes of a ~40-minute run). Durations come from this
 * machine's cache where it has them, else from `test-durations.json` (seconds, written by
 * `npm run -s test:durations` from a JSON report); a file in neither is guessed by its size.
 */
import { readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const ROOT = join(import.meta.dirname, '..', '..');
const recorded: Record<string, number> = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'test-durations.json'), 'utf8'));
/** A file never timed: about a second per 2 KiB of test source (the median file here). */
const guessSeconds = (path: string) => (statSync(path, { throwIfNoEntry: false })?.size ?? 0) / 2048;

export class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const seconds = (spec: TestSpecification) => {
      const rel = relative(ROOT, spec.moduleId);
      const cached = this.ctx.cache.getFileTestResults(`${spec.project.name}:${rel}`);
      return cached ? cached.duration / 1000 : (recorded[rel] ?? guessSeconds(spec.moduleId));
    };
    const keyed = files.map((spec) => ({ spec, s: seconds(spec) }));
    return keyed.sort((a, b) => b.s - a.s).map((k) => k.spec);
  }
}
