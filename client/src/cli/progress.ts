/**
 * A one-line progress bar on stderr, redrawn at most ~10 times a second; silent when stderr is
 * not a terminal (scripts and tests get clean output).
 */
import { clientEnv } from '../env.js';
import { humanSize } from './format.js';

export class ProgressBar {
  readonly #out: NodeJS.WriteStream;
  readonly #enabled: boolean;
  readonly #started = Date.now();
  #last = 0;
  #drawn = false;

  constructor(
    readonly label: string,
    out: NodeJS.WriteStream = process.stderr,
  ) {
    this.#out = out;
    this.#enabled = out.isTTY === true && clientEnv().progress;
  }

  update = (phase: string, done: number, total: number): void => {
    if (!this.#enabled) return;
    const now = Date.now();
    if (now - this.#last < 100 && done < total) return;
    this.#last = now;
    const width = 20;
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(ratio * width);
    const rate = done / Math.max(0.001, (now - this.#started) / 1000);
    const label = this.label.length > 30 ? `${this.label.slice(0, 29)}…` : this.label;
    const line = `${label} ${phase} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(ratio * 100)).padStart(3)}% ${humanSize(done)}/${humanSize(total)} ${humanSize(rate)}/s`;
    this.#out.write(`\r${line.slice(0, Math.max(20, (this.#out.columns || 120) - 1))}\x1b[K`);
    this.#drawn = true;
  };

  done(): void {
    if (this.#drawn) this.#out.write('\r\x1b[K');
    this.#drawn = false;
  }
}
