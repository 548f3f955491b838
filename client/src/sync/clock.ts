/**
 * Time as the agent sees it: the real clock, or the simulation's virtual one (so a history
 * replays identically, and hours of backoff and polling pass in no time).
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Run `fn` after `ms`; returns a function that cancels it. */
  timer(fn: () => void, ms: number): () => void;
  /** Run `fn` every `ms`; returns a function that stops it. */
  every(fn: () => void, ms: number): () => void;
  /** A number in [0, 1) (backoff jitter); seeded in the simulation. */
  random(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise<void>((r) => setTimeout(r, ms)),
  timer(fn, ms) {
    // Not unref'd: with --once a pending retry is what keeps the process alive.
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
  every(fn, ms) {
    const t = setInterval(fn, ms);
    return () => clearInterval(t);
  },
  random: () => Math.random(),
};
