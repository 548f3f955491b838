/**
 * The network between one agent run and the model server. Every call is two steps: the request
 * reaching the server (where the model applies it at once) and the answer reaching the agent. A
 * cut between them is the dangerous case the agent must survive: applied, but never confirmed.
 * Offline, a request fails when its step runs. A long poll's answer waits for the journal to pass
 * its cursor or for its (virtual) timeout. The event websocket is a handshake (a request and its
 * answer), then one answer step per message, in order (TCP's), each lost — and the socket closed —
 * when the connection is cut or the device is offline as it runs: a cut in the middle of a burst
 * of change events leaves the agent with some of them, and long polling.
 */
import { HttpError } from '@coffer/server/rules';
import { ApiError } from '../../src/api/errors.js';
import type { ServerMessage } from '@coffer/protocol';
import type { SyncApi } from '../../src/sync/sync-api.js';
import { readFetchedPack } from '../../src/transfer/fetch-pack.js';
import type { ModelApi } from './model-api.js';
import type { ModelServer } from './model-server.js';
import { NetError, type Scheduler } from './scheduler.js';

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown };

async function capture(p: Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: true, value: await p };
  } catch (err) {
    return { ok: false, err };
  }
}

/** `sockets`: where each open event socket registers its cut (the world's `cutSocket`). */
export function simNet(inner: ModelApi, model: ModelServer, sched: Scheduler, owner: string, online: () => boolean, sockets?: Set<(err: Error) => void>): SyncApi {
  const send = async <T>(call: () => Promise<T>): Promise<T> => {
    // The step's value is the promise of the outcome (the model answers at once; its promise
    // settles while the step's microtasks drain).
    const outcome: Outcome = await sched.step<Promise<Outcome>>(owner, 'req', () => {
      if (!online()) throw new NetError('offline (simulated)');
      return capture(call());
    });
    return sched.step(owner, 'res', () => {
      if (!outcome.ok) throw outcome.err;
      return outcome.value as T;
    });
  };

  /** A fetched pack: the request (the model reads the blocks then), then the body in two answer steps, so a cut can end it short. */
  async function* fetched(hashes: string[]): AsyncGenerator<{ hash: string; bytes: Uint8Array }> {
    const outcome = await sched.step<Outcome>(owner, 'req', () => {
      if (!online()) throw new NetError('offline (simulated)');
      try {
        return { ok: true, value: inner.fetchedPack(hashes) };
      } catch (err) {
        return { ok: false, err };
      }
    });
    const body = async function* () {
      const all = await sched.step(owner, 'res', () => {
        if (!outcome.ok) throw outcome.err;
        return outcome.value as Uint8Array;
      });
      const half = Math.floor(all.byteLength / 2);
      yield all.subarray(0, half);
      yield await sched.step(owner, 'res', () => all.subarray(half));
    };
    yield* readFetchedPack(body());
  }

  const api: SyncApi = {
    me: () => send(() => inner.me()),
    stat: (path) => send(() => inner.stat(path)),
    metadata: (path) => send(() => inner.metadata(path)),
    list: (path) => send(() => inner.list(path)),
    mkdir: (path, parents) => send(() => inner.mkdir(path, parents)),
    move: (from, to) => send(() => inner.move(from, to)),
    delete: (ref, cond) => send(() => inner.delete(ref, cond)),
    missingBlocks: (hashes) => send(() => inner.missingBlocks(hashes)),
    putBlock: (hash, bytes) => send(() => inner.putBlock(hash, bytes)),
    getBlock: (hash) => send(() => inner.getBlock(hash)),
    commit: (c) => send(() => inner.commit(c)),
    // Batches (issue 20): each one request, applied whole at once, its answer lost like any other.
    // No putPackEncoded: the agent compresses a pack on libuv's threads, outside the scheduler's
    // steps, so a history would not replay step for step; packs go raw (the agent's fallback).
    putPack: (pack) => send(() => inner.putPack(pack)),
    commitBatch: (files, pack) => send(() => inner.commitBatch(files, pack)),
    blockLists: (files) => send(() => inner.blockLists(files)),
    fetchBlocks: (hashes) => fetched(hashes),
    revisionBlocks: (path, rev) => send(() => inner.revisionBlocks(path, rev)),
    changes: (cursor, limit) => send(() => inner.changes(cursor, limit)),
    changesLatest: () => send(() => inner.changesLatest()),
    events(cursor, on) {
      let closed = false;
      let stopJournal = () => {};
      const queue: ServerMessage[] = [];
      let pumping = false;
      const close = (err?: Error) => {
        if (closed) return;
        closed = true;
        stopJournal();
        sockets?.delete(close);
        queueMicrotask(() => on.closed(err));
      };
      sockets?.add(close);
      const deliver = (m: () => ServerMessage) =>
        sched.step(owner, 'res', () => {
          if (!online()) throw new NetError('offline (simulated)');
          return m();
        });
      const pump = async () => {
        if (pumping) return;
        pumping = true;
        try {
          while (!closed && queue.length > 0) {
            const m = await deliver(() => queue.shift()!);
            if (!closed) on.message(m);
          }
        } catch (err) {
          close(err as Error);
        } finally {
          pumping = false;
        }
      };
      let sent = cursor;
      const enqueue = (head: number) => {
        if (closed || head <= sent) return;
        while (sent < head) {
          const page = model.changes(sent, 500);
          for (const entry of page.entries) queue.push({ type: 'change', entry });
          sent = page.cursor;
          if (!page.hasMore || page.entries.length === 0) break;
        }
        void pump();
      };
      void (async () => {
        try {
          await sched.step(owner, 'req', () => {
            if (!online()) throw new NetError('offline (simulated)');
          });
          await sched.step(owner, 'res', () => {
            if (!online()) throw new NetError('offline (simulated)');
          });
        } catch (err) {
          return close(err as Error);
        }
        if (closed) return;
        on.open();
        // The resume: the backlog after the cursor, then live entries (or `reset`: a cursor the journal no longer serves).
        let head: number;
        try {
          head = model.checkCursor(cursor);
        } catch (err) {
          if (!(err instanceof HttpError && err.code === 'reset')) throw err;
          queue.push({ type: 'reset', message: err.message, latestCursor: model.head() });
          return void pump();
        }
        stopJournal = model.onJournal(enqueue);
        enqueue(head);
      })();
      return { close: () => close() };
    },
    async longpoll(cursor, timeoutS = 60) {
      const head = await sched.step(owner, 'req', () => {
        if (!online()) throw new NetError('offline (simulated)');
        try {
          return model.checkCursor(cursor);
        } catch (err) {
          if (err instanceof HttpError) throw new ApiError(err.status, err.code, err.message, err.details);
          throw err;
        }
      });
      if (head > cursor) return sched.step(owner, 'res', () => ({ changes: true }));
      return sched.waiting(owner, 'res', (ready) => {
        let cancel = () => {};
        const stop = model.onJournal((seq) => {
          if (seq <= cursor) return;
          stop();
          cancel();
          ready(() => ({ changes: true }));
        });
        cancel = sched.timer('server', timeoutS * 1000, () => {
          stop();
          ready(() => ({ changes: false }));
        });
      });
    },
  };
  return api;
}
