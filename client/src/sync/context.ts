/** What every step of a sync pass shares. */
import type { CofferApi } from '../api/client.js';
import type { ChangeEntry } from '../api/types.js';
import type { TransferStats } from '../transfer/stats.js';
import type { IgnoreRules } from './ignore.js';
import type { RemoteTree } from './remote.js';
import type { SyncState } from './state.js';

export interface SyncContext {
  api: CofferApi;
  /** Local sync root (absolute). */
  root: string;
  /** Remote folder (absolute, `/`-separated). */
  remoteRoot: string;
  /** The remote root folder's id (journal entries name parents by id). */
  rootId: string;
  state: SyncState;
  /** Journal entries read by the follower, applied at the start of the next pass: the remote
   *  picture must not change under a pass's decisions (a move seen half-way looks like a delete). */
  pending: ChangeEntry[];
  /** Set when the picture must be rebuilt from a full listing before the next pass. */
  relist: boolean;
  remote: RemoteTree;
  ignore: IgnoreRules;
  stats: TransferStats;
  log: (line: string) => void;
}

/** Depth of a relative path (`a` 0, `a/b` 1), to order parents before children. */
export function depth(rel: string): number {
  let n = 0;
  for (const c of rel) if (c === '/') n++;
  return n;
}

export function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}
