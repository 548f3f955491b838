/**
 * The parts' boundaries are enforced, not agreed: dependency-cruiser (`npm run check:boundaries`)
 * rejects a relative or deep import of another part and any import circle, and tsc rejects a
 * package path that the part's `exports` map does not offer. Shown on a fixture tree of
 * deliberately bad imports (fixtures/boundaries), and the real tree passes the same rules.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/boundaries/', import.meta.url));
const DEPCRUISE = `${ROOT}node_modules/.bin/depcruise`;
const TSC = `${ROOT}node_modules/.bin/tsc`;
const CONFIG = `${ROOT}.dependency-cruiser.cjs`;

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
  cycle?: { name: string }[];
}

/** The violations (JSON report), and the exit status of the check as `npm test` runs it (its JSON reporter always exits 0). */
function depcruise(cwd: string, dirs: string[]) {
  const run = (type: string) => spawnSync(DEPCRUISE, ['--config', CONFIG, '--output-type', type, ...dirs], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  const out = JSON.parse(run('json').stdout) as { summary: { violations: Violation[] } };
  return { status: run('err').status, violations: out.summary.violations };
}

describe('part boundaries', () => {
  it('dependency-cruiser fails on a relative deep import of another part and on an import circle', () => {
    const { status, violations } = depcruise(FIXTURE, ['client', 'server', 'storage-engine']);
    expect(status).not.toBe(0);
    const found = violations.map((v) => `${v.rule.name} ${v.from} -> ${v.to}`);
    expect(found).toContain('no-cross-part-relative client/src/deep.ts -> storage-engine/src/store/block-store.ts');
    expect(found).toContain('only-through-exports client/src/deep.ts -> storage-engine/src/store/block-store.ts');
    const circle = violations.find((v) => v.rule.name === 'no-circular');
    expect(circle?.cycle?.map((c) => c.name).sort()).toEqual(['server/src/a.ts', 'server/src/b.ts']);
    // The import through the engine's export is not a violation.
    expect(violations.filter((v) => v.from === 'client/src/ok.ts' && v.rule.name !== 'not-to-unresolvable')).toEqual([]);
  });

  it('tsc fails on a package path outside the exports map (TS2307)', () => {
    const run = spawnSync(TSC, ['--noEmit', '-p', `${FIXTURE}tsconfig.json`], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    const errors = run.stdout.split('\n').filter((l) => l.includes('error TS'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/client\/src\/deep-package\.ts\(\d+,\d+\): error TS2307: Cannot find module '@coffer\/storage-engine\/src\/store\/block-store\.js'/);
  });

  it('the real tree passes the same rules', () => {
    const { status, violations } = depcruise(ROOT, ['protocol', 'storage-engine', 'server', 'client', 'test-support', 'scripts', 'web', 'admin-ui']);
    expect(violations.map((v) => `${v.rule.name} ${v.from} -> ${v.to}`)).toEqual([]);
    expect(status).toBe(0);
  });
});
