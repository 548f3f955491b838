/**
 * The client's settings from the environment, read and checked in one place, as the server's
 * config.ts does: a value that cannot be used is an error naming the variable, never a silent
 * default. Tests' own variables (COFFER_TEST_*, COFFER_CONTRACT_*) stay with the tests.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/** Set to anything but '', '0' or 'false': on. */
const flag = z
  .string()
  .optional()
  .transform((v) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false');
const optionalText = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());
const whole = (min: number, max: number) => z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().min(min).max(max).optional());

const Env = z.object({
  /** Where the login file lives (default: $XDG_CONFIG_HOME/coffer, else ~/.config/coffer). */
  COFFER_CONFIG_DIR: optionalText,
  XDG_CONFIG_HOME: optionalText,
  /** Print stack traces with errors. */
  COFFER_DEBUG: flag,
  /** No progress line, even on a terminal; so do NO_COLOR (no-color.org: set and not empty) and TERM=dumb. */
  COFFER_NO_PROGRESS: flag,
  NO_COLOR: optionalText,
  TERM: optionalText,
  /** The sync agent's timings (client/src/sync/agent.ts DEFAULT_TIMINGS): the quiet time after a local change before a pass (settle window), */
  COFFER_SYNC_SETTLE_MS: whole(0, 3_600_000),
  /** how often the folder is scanned whole, */
  COFFER_SYNC_RESCAN_MS: whole(1, 86_400_000),
  /** and how long a long poll waits (the server takes 30 to 480 s). */
  COFFER_SYNC_POLL_S: whole(30, 480),
});

export interface ClientEnv {
  configDir: string;
  debug: boolean;
  progress: boolean;
  /** Only those set. */
  syncTimings: { settleMs?: number; rescanMs?: number; pollSeconds?: number };
}

/** COFFER_DEBUG alone: it never throws, for use while another error is being reported. */
export function debugging(env: NodeJS.ProcessEnv = process.env): boolean {
  return flag.parse(env.COFFER_DEBUG);
}

export function clientEnv(env: NodeJS.ProcessEnv = process.env): ClientEnv {
  const parsed = Env.safeParse(env);
  if (!parsed.success) throw new Error(`invalid environment:\n${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  const timings = { settleMs: e.COFFER_SYNC_SETTLE_MS, rescanMs: e.COFFER_SYNC_RESCAN_MS, pollSeconds: e.COFFER_SYNC_POLL_S };
  return {
    configDir: e.COFFER_CONFIG_DIR ?? (e.XDG_CONFIG_HOME ? join(e.XDG_CONFIG_HOME, 'coffer') : join(homedir(), '.config', 'coffer')),
    debug: e.COFFER_DEBUG,
    progress: !e.COFFER_NO_PROGRESS && e.NO_COLOR === undefined && e.TERM !== 'dumb',
    syncTimings: Object.fromEntries(Object.entries(timings).filter(([, v]) => v !== undefined)),
  };
}
