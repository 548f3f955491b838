/**
 * One uploading device as `npm run bench:wire` drives it (issue 21): the client's upload as the
 * sync agent calls it (missing blocks, the replaced version's block list, encoded blocks, the
 * commit) with a block cache on disk, each step on a fresh connection (TLS handshake included).
 */
import { CofferApi } from '../src/api/client.js';
import type { Trust } from '../src/api/pinned-agent.js';
import { DiskBlockCache } from '../src/transfer/block-cache.js';
import { TransferStats } from '../src/transfer/stats.js';
import { uploadFile } from '../src/transfer/upload.js';

export interface RemoteFile {
  id: string;
  rev: number;
  path: string;
  /** Its content hash, as the agent keeps it in its base (a block list cached under it needs no request). */
  contentHash?: string;
}

export class WireDevice {
  readonly cache: DiskBlockCache;
  readonly stats = new TransferStats();

  constructor(
    private readonly url: string,
    private readonly trust: Trust,
    private readonly token: string,
    cacheDir: string,
    /** Blocks raw on the old route, no cache: a client from before issue 21. */
    private readonly raw = false,
  ) {
    this.cache = new DiskBlockCache(cacheDir);
  }

  async #with<T>(f: (api: CofferApi) => Promise<T>): Promise<T> {
    const api = new CofferApi(this.url, this.trust, this.token);
    try {
      return await f(api);
    } finally {
      api.http.close();
    }
  }

  /** Upload `local` to `remote`, as a new file or replacing `prev`. */
  upload(local: string, remote: string, prev?: RemoteFile): Promise<RemoteFile> {
    return this.#with(async (api) => {
      const up = await uploadFile(api, local, remote, {
        baseRev: prev ? prev.rev : null,
        ...(prev ? { fileId: prev.id } : {}),
        stats: this.stats,
        wire: this.raw
          ? { raw: true }
          : {
              cache: this.cache,
              ...(prev ? { baseBlocks: async () => (await api.revisionBlocks(prev.path, prev.rev)).blocks } : {}),
              ...(prev?.contentHash ? { baseContentHash: prev.contentHash } : {}),
            },
      });
      return { id: up.answer.id, rev: up.answer.rev, path: remote, contentHash: up.contentHash };
    });
  }

  /** A rename on the server (the agent's move of a file it saw renamed locally). */
  rename(from: RemoteFile, to: string): Promise<RemoteFile> {
    return this.#with(async (api) => {
      const moved = await api.move({ id: from.id }, to);
      return { id: moved.id, rev: moved.rev, path: to, ...(from.contentHash ? { contentHash: from.contentHash } : {}) };
    });
  }
}
