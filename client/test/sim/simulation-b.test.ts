/** 5,000 generated histories of 2–3 devices (half of the CI budget; simulation-a runs the other half). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { historiesHold, simOptions } from './property.js';

describe('sync simulation (histories 2 of 2)', () => {
  it('every generated history converges, loses nothing, deletes nothing nobody deleted', async () => {
    const o = simOptions(5_000, 0x5eed_0002);
    const details = await historiesHold(o);
    if (details.failed) throw new Error(fc.defaultReportMessage(details) ?? 'failed');
    expect(details.numRuns).toBe(o.runs);
  }, 30 * 60_000);
});
