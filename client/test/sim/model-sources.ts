/**
 * Where the model server gets time and identifiers: injected, never Date.now or randomness, so a
 * simulation run with the same seed replays exactly.
 */

export interface ModelClock {
  /** Milliseconds since 1970 on this clock. */
  now(): number;
  /** Run `fn` after `ms` of this clock's time (a long poll's timeout); answers a function that cancels it. */
  setTimer(ms: number, fn: () => void): () => void;
}

/** The machine's own clock and timers (the contract test runs the model beside a real server). */
export const realClock: ModelClock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

/** Ids from a counter, shaped as UUIDs (version 4, variant 1) so they pass every check a real id does. */
export class IdSource {
  #n = 0;

  next(): string {
    this.#n++;
    return `00000000-0000-4000-8000-${this.#n.toString(16).padStart(12, '0')}`;
  }
}
