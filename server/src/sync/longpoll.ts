/**
 * Long polling (Dropbox style): hold the request until the caller's namespace has an entry after
 * the cursor, an event is published to the user, or the timeout passes. The answer says only
 * *whether* to look; the client then reads GET /changes from its cursor.
 */
import { randomInt } from 'node:crypto';
import type { LongPollAnswer } from '@coffer/protocol';
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { checkCursor } from './cursor.js';
import type { SyncHub } from './hub.js';

/** Whether to look (the protocol's `LongPollAnswer`). */
export type LongpollAnswer = LongPollAnswer;

/** Requested timeout minus up to 10% (whole seconds, so timers share Node's per-duration lists):
 *  clients that started together drift apart instead of re-polling in lockstep, and the answer
 *  still comes within the timeout the client asked for. */
export function jitteredTimeoutMs(timeoutS: number): number {
  return (timeoutS - randomInt(0, Math.floor(timeoutS / 10) + 1)) * 1000;
}

export function longpoll(db: Db, hub: SyncHub, user: AuthUser, cursor: number, timeoutS: number, signal: AbortSignal): Promise<LongpollAnswer> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const cleanups: (() => void)[] = [];
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      for (const c of cleanups) c();
      return true;
    };
    const finish = (a: LongpollAnswer) => {
      const backoff = hub.backoffSeconds();
      if (settle()) resolve(backoff ? { ...a, backoff } : a);
    };

    // Watch first, then look: a commit landing between the look and the watch would otherwise
    // sleep until the timeout.
    cleanups.push(
      hub.watch(user.namespaceId, { onJournal: (w) => w.head > cursor && finish({ changes: true }), onClose: () => finish({ changes: false }) }),
      hub.watch(user.id, { onEvent: () => finish({ changes: false, events: true }) }),
      hub.hold('longpoll'),
      hub.presence.connect(user.deviceId),
    );
    const timer = setTimeout(() => finish({ changes: false }), jitteredTimeoutMs(timeoutS));
    const onAbort = () => finish({ changes: false }); // the client went away: just let go
    signal.addEventListener('abort', onAbort, { once: true });
    cleanups.push(
      () => clearTimeout(timer),
      () => signal.removeEventListener('abort', onAbort),
    );
    if (signal.aborted) return onAbort();

    checkCursor(db, user.namespaceId, cursor).then(
      (head) => head > cursor && finish({ changes: true }),
      (err: unknown) => settle() && reject(err),
    );
  });
}
