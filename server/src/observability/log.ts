/**
 * The server's one logger: structured JSON lines (pino) on stdout, one child per component
 * (`componentLogger('jobs')`). Level from COFFER_LOG_LEVEL (default info; the tests quiet it).
 *
 * Never in a line: passwords, tokens, token hashes, cookies, Authorization headers, SQL
 * parameters. Callers log route patterns and ids, not raw URLs or bodies; errors go through
 * `loggable` (error-log.ts), which reduces database errors to their code and message; and the
 * redact paths below blank the fields that could carry a secret should one slip into an object.
 */
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { loggable } from '../error-log.js';
import { requestContext } from './request-context.js';

export type { Logger } from 'pino';

import { LOG_LEVELS } from './log-levels.js';

const SECRET_KEYS = [
  'password', 'newPassword', 'currentPassword', 'token', 'tokenHash', 'token_hash', 'secret', 'cookie',
  'authorization', 'Authorization', 'params', 'parameters', 'query', 'recoveryCode', 'credentials',
];
/** Field names that never reach a line, at the top level, one level down, and in headers. */
const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((k) => `*.${k}`),
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

function levelFromEnv(value: string | undefined): LevelWithSilent {
  return (LOG_LEVELS as readonly string[]).includes(value ?? '') ? (value as LevelWithSilent) : 'info';
}

/** A logger writing to `destination` (default stdout); tests pass their own stream. */
export function createLogger(opts: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: levelFromEnv(opts.level ?? process.env.COFFER_LOG_LEVEL),
      base: { pid: process.pid },
      // ISO time: readable, and fail2ban and log shippers parse it without a custom pattern.
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names ("warn"), not numbers: greppable, and what the fail2ban filter matches.
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: (e: unknown) => pino.stdSerializers.err(asError(loggable(e))) },
      // The request under way, on every line written while it is handled.
      mixin: () => {
        const ctx = requestContext.getStore();
        return ctx ? { reqId: ctx.reqId } : {};
      },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** The process's logger (its level is read once, here: children keep the level they were made with;
 *  config.ts validates the same variable, so a misspelt level refuses the start). */
export const log: Logger = createLogger();

/** A component's logger: its lines carry `component` (jobs, hub, health, webdav, http, …). */
export function componentLogger(component: string): Logger {
  return log.child({ component });
}

/** An unexpected error, at error level, database errors reduced (error-log.ts). */
export function logError(context: string, err: unknown, logger: Logger = log): void {
  logger.error({ err: loggable(err) }, context);
}
