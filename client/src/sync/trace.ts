/** Latency tracing for the bench (COFFER_SYNC_TRACE=1): one `trace <what> <epoch ms>` line per step, on stderr. */
const on = process.env.COFFER_SYNC_TRACE === '1';

export function trace(what: string): void {
  if (on) process.stderr.write(`trace ${what} ${(performance.timeOrigin + performance.now()).toFixed(1)}\n`);
}
