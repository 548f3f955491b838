/**
 * The simulation as a fast-check property: generated histories must all pass the checks.
 * Seeded (COFFER_SIM_SEED, else the caller's default), sized by COFFER_SIM_RUNS; a failure is
 * shrunk to a minimal history, printed with its problems and log, and replays with the printed
 * seed and path (COFFER_SIM_SEED=… COFFER_SIM_PATH=… npx vitest run client/test/sim).
 */
import fc from 'fast-check';
import type { Faults } from '../../src/sync/faults.js';
import { historyArb, report, runHistory } from './history.js';

export interface SimRunOptions {
  runs: number;
  seed: number;
  faults?: Faults;
  /** Stop at the first failure, without shrinking (the mutation test only needs to know). */
  endOnFailure?: boolean;
}

export function simOptions(defaultRuns: number, defaultSeed: number): { runs: number; seed: number; path?: string } {
  const env = process.env;
  return {
    runs: env.COFFER_SIM_RUNS ? Number(env.COFFER_SIM_RUNS) : defaultRuns,
    seed: env.COFFER_SIM_SEED ? Number(env.COFFER_SIM_SEED) : defaultSeed,
    ...(env.COFFER_SIM_PATH ? { path: env.COFFER_SIM_PATH } : {}),
  };
}

export function historiesHold(o: SimRunOptions & { path?: string }): Promise<fc.RunDetails<[unknown]>> {
  const property = fc.asyncProperty(historyArb, async (h) => {
    const out = await runHistory(h, o.faults);
    if (!out.verdict.ok) throw new Error(`a history broke the sync promises\n${report(out, 300)}`);
  });
  return fc.check(property, {
    numRuns: o.runs,
    seed: o.seed,
    ...(o.path ? { path: o.path } : {}),
    endOnFailure: o.endOnFailure ?? false,
    interruptAfterTimeLimit: 20 * 60_000,
  }) as Promise<fc.RunDetails<[unknown]>>;
}
