/** The agent's Clock on the scheduler's virtual time: timers are steps of their owner, dropped with it. */
import type { Clock } from '../../src/sync/clock.js';
import type { Scheduler } from './scheduler.js';

export function simClock(sched: Scheduler, owner: string): Clock {
  return {
    now: () => sched.now,
    sleep: (ms) => new Promise<void>((r) => sched.timer(owner, ms, r)),
    timer: (fn, ms) => sched.timer(owner, ms, fn),
    every(fn, ms) {
      let cancel = () => {};
      const arm = () => {
        cancel = sched.timer(owner, ms, () => {
          arm();
          fn();
        });
      };
      arm();
      return () => cancel();
    },
    random: () => sched.random(),
  };
}
