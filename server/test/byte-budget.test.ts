/** The pack budget (uploads/pack-budget.ts): work past it waits, first come first served; nothing is lost or stuck. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ByteBudget } from '../src/http/byte-budget.js';

const tick = () => new Promise((r) => setImmediate(r));

/** A piece of work that runs until `finish` is called; `started` tells whether it began. */
function gate() {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const state = { started: false, finish, work: async () => ((state.started = true), await done) };
  return state;
}

describe('ByteBudget', () => {
  it('runs work within the budget at once and holds the rest back in arrival order', async () => {
    const budget = new ByteBudget(32);
    const [a, b, c, d] = [gate(), gate(), gate(), gate()];
    const runs = [budget.run(16, a.work), budget.run(16, b.work), budget.run(20, c.work), budget.run(4, d.work)];
    await tick();
    expect([a.started, b.started, c.started, d.started]).toEqual([true, true, false, false]);
    a.finish();
    await tick();
    // 16 free: c (20) still waits, and d (4) waits behind it rather than overtaking it.
    expect([c.started, d.started]).toEqual([false, false]);
    b.finish();
    await tick();
    expect([c.started, d.started]).toEqual([true, true]);
    c.finish();
    d.finish();
    await Promise.all(runs);
  });

  it('runs work bigger than the whole budget alone, and gives back what failed work held', async () => {
    const budget = new ByteBudget(10);
    const big = gate();
    const small = gate();
    const runs = [budget.run(1000, big.work), budget.run(1, small.work)];
    await tick();
    expect([big.started, small.started]).toEqual([true, false]);
    big.finish();
    await tick();
    expect(small.started).toBe(true);
    small.finish();
    await Promise.all(runs);
    await expect(budget.run(10, async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(await budget.run(10, async () => 'after')).toBe('after'); // the failed run's share came back
  });

  it('is set by COFFER_PACK_BUDGET_MIB: one full pack by default, never none', () => {
    expect(loadConfig({}).packBudgetBytes).toBe(16 * 1024 * 1024);
    expect(loadConfig({ COFFER_PACK_BUDGET_MIB: '64' }).packBudgetBytes).toBe(64 * 1024 * 1024);
    expect(() => loadConfig({ COFFER_PACK_BUDGET_MIB: '0' })).toThrow(/COFFER_PACK_BUDGET_MIB/);
  });
});
