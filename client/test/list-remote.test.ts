/**
 * Listing the remote tree (sync/remote.ts listRemote): a level at a time in POST /list/batch
 * requests, against the real server. The picture is the same as a request per folder builds, in
 * the same order, also past MAX_LIST_BATCH_FOLDERS folders in one level and past one page in one
 * folder; a server without the route is listed a folder at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '@coffer/server/testing/server-process';
import { ApiError } from '../src/api/errors.js';
import { CofferApi } from '../src/api/client.js';
import { listRemote, RemoteTree } from '../src/sync/remote.js';
import type { SyncApi } from '../src/sync/sync-api.js';
import { requestsServed } from './server-metrics.js';

let srv: ServerProcess;
let api: CofferApi;

beforeAll(async () => {
  srv = await startServerProcess();
  api = new CofferApi(srv.url, { insecureHttp: true }, srv.token);
  // 130 folders in one level (two batches), one of them holding 250 (past a batch's page of 200).
  const level = Array.from({ length: 130 }, (_, i) => `/root/Level/d${String(i).padStart(3, '0')}`);
  const wide = Array.from({ length: 250 }, (_, i) => `/root/Level/d007/w${i}`);
  for (const paths of [['/root/Level', '/root/Other', '/root/Other/Deep'], level, wide]) {
    for (const r of await api.mkdirBatch(paths, true)) expect(r.ok).toBe(true);
  }
}, 90_000);

afterAll(async () => {
  await srv?.cleanup();
});

/** The API as an older server's client sees it: no batch listing. */
function perFolder(a: SyncApi): SyncApi {
  return new Proxy(a, { get: (t, k) => (k === 'listBatch' ? undefined : own(t, k)) }) as SyncApi;
}

/** A method of the real API, bound to it (its private fields need the real receiver). */
function own(t: object, k: string | symbol): unknown {
  const v = Reflect.get(t, k, t) as unknown;
  return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
}

const picture = (t: RemoteTree) => [...t.entries()].map(([p, e]) => `${p} ${e.id} ${e.isDir}`);

describe('listRemote', () => {
  it('lists a tree a level at a time in batches, exactly as a request per folder does', async () => {
    const before = { batches: await requestsServed(srv, /route="\/api\/v1\/list\/batch"/), lists: await requestsServed(srv, /route="\/api\/v1\/list"/) };
    const batched = new RemoteTree();
    await listRemote(api, '/root', batched);
    const batches = (await requestsServed(srv, /route="\/api\/v1\/list\/batch"/)) - before.batches;
    const lists = (await requestsServed(srv, /route="\/api\/v1\/list"/)) - before.lists;
    const alone = new RemoteTree();
    await listRemote(perFolder(api), '/root', alone);
    expect(picture(batched)).toEqual(picture(alone));
    expect(picture(batched)).toHaveLength(3 + 130 + 250);
    // Levels: /root; Level and Other; 130 + Deep (two batches); the 250 under d007 (three batches).
    expect(batches).toBeLessThanOrEqual(8);
    expect(lists).toBe(1); // d007, past its page, listed whole
  });

  it('falls back to a request per folder when the server has no batch route', async () => {
    let asked = 0;
    const older = new Proxy(api, {
      get: (t, k) =>
        k === 'listBatch'
          ? async () => {
              asked++;
              throw new ApiError(404, 'not_found', 'no route');
            }
          : own(t, k),
    }) as SyncApi;
    const tree = new RemoteTree();
    await listRemote(older, '/root', tree);
    await listRemote(older, '/root', tree);
    expect(asked).toBe(1); // remembered
    const alone = new RemoteTree();
    await listRemote(perFolder(api), '/root', alone);
    expect(picture(tree)).toEqual(picture(alone));
  });
});
