/** The exit codes of `coffer` (documented in `coffer help`): kept apart so start-up loads nothing else. */
export const EXIT = { ok: 0, error: 1, usage: 2, conflict: 3, auth: 4, sigint: 130, sigterm: 143 } as const;
