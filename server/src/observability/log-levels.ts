/** The levels COFFER_LOG_LEVEL takes (pino's), apart so the configuration reads them without opening a logger. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
