/**
 * The simulation must catch planted bugs: each fault (client/src/sync/faults.ts) turns off one
 * safety rule, and within the CI budget of histories some history must break the checks.
 */
import { describe, expect, it } from 'vitest';
import type { Fault } from '../../src/sync/faults.js';
import { historiesHold, simOptions } from './property.js';

const FAULTS: Fault[] = ['no-conflicted-copy', 'state-before-commit', 'delete-on-missing-remote'];

describe('sync simulation catches planted bugs', () => {
  for (const fault of FAULTS) {
    it(`finds '${fault}'`, async () => {
      const { seed } = simOptions(0, 0x5eed_00f0);
      const details = await historiesHold({ runs: 10_000, seed, faults: new Set([fault]), endOnFailure: true });
      expect(details.failed, `no history out of ${details.numRuns} noticed the fault`).toBe(true);
    }, 10 * 60_000);
  }
});
