/** A mistake in how a command was called: exit code 2 and the usage line. Its own module so that main.ts knows it without loading a command's dependencies. */
export class UsageError extends Error {}
