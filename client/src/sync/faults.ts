/**
 * Deliberate bugs, for the simulation's mutation test only (client/test/sim/): each one turns
 * off one safety rule, and the test shows the simulation catches it. Empty in normal use.
 */
export type Fault =
  /** A file changed on both sides keeps this device's content at its name, no conflicted copy. */
  | 'no-conflicted-copy'
  /** A change is recorded as synced before the upload commits. */
  | 'state-before-commit'
  /** A file missing remotely is deleted locally even when it changed here. */
  | 'delete-on-missing-remote';

export type Faults = ReadonlySet<Fault>;

export const NO_FAULTS: Faults = new Set();
