/**
 * The order `npm test` runs its files in on a clean clone: longest first by the recorded
 * durations, this machine's own (Vitest's cache) winning where it has them.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TestSpecification, Vitest } from 'vitest/node';
import { SlowestFirst } from '../src/slowest-first.js';
import recorded from '../test-durations.json' with { type: 'json' };

const ROOT = join(import.meta.dirname, '..', '..');
const spec = (rel: string) => ({ moduleId: join(ROOT, rel), project: { name: '' } }) as unknown as TestSpecification;
const sequencer = (cached: Record<string, number> = {}) =>
  new SlowestFirst({ cache: { getFileTestResults: (key: string) => (key.slice(1) in cached ? { duration: cached[key.slice(1)]! * 1000, failed: false } : undefined) } } as unknown as Vitest);
const order = async (s: SlowestFirst, files: string[]) => (await s.sort(files.map(spec))).map((f) => f.moduleId.slice(ROOT.length + 1));

describe('slowest first', () => {
  const times = recorded as Record<string, number>;
  const files = Object.keys(times);
  const longest = files[0]!;
  const shortest = files.at(-1)!;

  it('runs the longest recorded files first, on a clean clone (no cache)', async () => {
    expect(times[longest]).toBeGreaterThan(times[shortest]!);
    expect(await order(sequencer(), [shortest, longest])).toEqual([longest, shortest]);
    // The record covers the suite (a file added since is guessed by its size until it is rewritten).
    expect(files.length).toBeGreaterThan(100);
  });

  it("prefers this machine's own durations (Vitest's cache) to the record", async () => {
    expect(await order(sequencer({ [shortest]: 10 * times[longest]! }), [longest, shortest])).toEqual([shortest, longest]);
  });
});
