/**
 * A one-line progress bar on stderr, redrawn at most ~10 times a second: phase, bytes, files
 * (folders), the current rate over a moving window and the time left at that rate. Silent when
 * stderr is not a terminal, with NO_COLOR, TERM=dumb or COFFER_NO_PROGRESS (clientEnv).
 */
import { clientEnv } from '../env.js';
import { humanSize } from './format.js';

/** The rate is what moved in the last few seconds: a stall or a fast patch shows at once. */
export class MovingRate {
  readonly #windowMs: number;
  #samples: { t: number; done: number }[] = [];

  constructor(windowMs = 5000) {
    this.#windowMs = windowMs;
  }

  /** Bytes a second over the window (undefined until there is a span to measure). */
  add(t: number, done: number): number | undefined {
    const last = this.#samples.at(-1);
    if (last && done < last.done) this.#samples = []; // a new pass or file counts from 0
    this.#samples.push({ t, done });
    while (this.#samples.length > 2 && t - this.#samples[1]!.t >= this.#windowMs) this.#samples.shift();
    const first = this.#samples[0]!;
    const span = t - first.t;
    return span >= 200 ? ((done - first.done) * 1000) / span : undefined;
  }

  /** Start again from nothing at `t` (a new phase: its bytes count from when the last one ended). */
  reset(t?: number): void {
    this.#samples = t === undefined ? [] : [{ t, done: 0 }];
  }
}

export function humanDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export class ProgressBar {
  readonly #out: NodeJS.WriteStream;
  readonly #enabled: boolean;
  readonly #rate = new MovingRate();
  #phase = '';
  #phaseSeen = 0;
  #last = 0;
  #drawn = false;
  /** `3/10 files` when moving a folder. */
  files = '';

  constructor(
    public label: string,
    out: NodeJS.WriteStream = process.stderr,
  ) {
    this.#out = out;
    this.#enabled = out.isTTY === true && clientEnv().progress;
  }

  update = (phase: string, done: number, total: number): void => {
    if (!this.#enabled) return;
    const now = Date.now();
    // Progress comes as blocks complete: the new phase began when the last one's last report came.
    if (phase !== this.#phase) this.#rate.reset(this.#phaseSeen || undefined);
    this.#phase = phase;
    this.#phaseSeen = now;
    const rate = this.#rate.add(now, done);
    if (now - this.#last < 100 && done < total) return;
    this.#last = now;
    const width = 20;
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(ratio * width);
    const label = this.label.length > 30 ? `${this.label.slice(0, 29)}…` : this.label;
    const speed = rate === undefined ? '' : ` ${humanSize(Math.round(rate))}/s, ${humanDuration(rate > 0 ? (total - done) / rate : Infinity)} left`;
    const line = `${label}${this.files ? ` (${this.files})` : ''} ${phase} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${humanSize(done)}/${humanSize(total)}${speed}`;
    this.#out.write(`\r${line.slice(0, Math.max(20, (this.#out.columns || 120) - 1))}\x1b[K`);
    this.#drawn = true;
  };

  done(): void {
    if (this.#drawn) this.#out.write('\r\x1b[K');
    this.#drawn = false;
    this.#rate.reset();
    this.#phase = '';
    this.#phaseSeen = 0;
  }
}
