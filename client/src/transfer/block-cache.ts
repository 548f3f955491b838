/**
 * Plaintext of blocks this device sent or received, kept so that the next edit of a file can be
 * sent as a delta against its previous version's block (issue 21): the old bytes are gone from
 * the file once it is edited, and fetching them back would cost what the delta saves. A folder
 * of files named by hash, bounded in bytes, the least recently used dropped first; every read is
 * checked against its name, so a damaged entry is a miss, never a wrong base.
 * It keeps the block lists of versions this device sent or received as well (`l-` and the content
 * hash, block-list-file.ts): where a delta finds its bases, without asking the server for them.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlockRef } from '@coffer/protocol';
import { LIST_PREFIX, listFromFile, listToFile } from './block-list-file.js';

export interface BlockCache {
  get(hash: string): Promise<Buffer | undefined>;
  put(hash: string, bytes: Uint8Array): Promise<void>;
  /** The block list of the version with this content hash, when this device had it. */
  getList?(contentHash: string): Promise<BlockRef[] | undefined>;
  putList?(blocks: readonly BlockRef[]): Promise<void>;
}

interface Entry {
  size: number;
  used: number;
}

export class DiskBlockCache implements BlockCache {
  #entries: Map<string, Entry> | undefined;
  #bytes = 0;
  #seq = 0;

  constructor(
    readonly dir: string,
    /** The most plaintext kept; a 64 MiB file needs 64 MiB to be sent as deltas when edited. */
    readonly maxBytes = 1024 * 1024 * 1024,
  ) {}

  get(hash: string): Promise<Buffer | undefined> {
    return this.#read(hash, (bytes) => createHash('sha256').update(bytes).digest('hex') === hash);
  }

  put(hash: string, bytes: Uint8Array): Promise<void> {
    return this.#write(hash, bytes);
  }

  async getList(contentHash: string): Promise<BlockRef[] | undefined> {
    let list: BlockRef[] | undefined;
    await this.#read(LIST_PREFIX + contentHash, (bytes) => (list = listFromFile(bytes, contentHash)) !== undefined);
    return list;
  }

  async putList(blocks: readonly BlockRef[]): Promise<void> {
    if (blocks.length === 0) return;
    const file = listToFile(blocks);
    await this.#write(LIST_PREFIX + file.contentHash, file.bytes);
  }

  /** An entry's bytes when they pass `check` (else it is dropped: a miss, never a wrong answer). */
  async #read(name: string, check: (bytes: Buffer) => boolean): Promise<Buffer | undefined> {
    const entries = await this.#open();
    if (!entries.has(name)) return undefined;
    let bytes: Buffer;
    try {
      bytes = await readFile(this.#path(name));
    } catch {
      this.#forget(name);
      return undefined;
    }
    if (!check(bytes)) {
      await this.#drop(name);
      return undefined;
    }
    const now = new Date();
    entries.get(name)!.used = now.getTime();
    await utimes(this.#path(name), now, now).catch(() => undefined);
    return bytes;
  }

  async #write(name: string, bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength > this.maxBytes) return;
    const entries = await this.#open();
    const had = entries.get(name);
    if (had) {
      had.used = Date.now();
      return;
    }
    const tmp = join(this.dir, `.tmp-${process.pid}-${this.#seq++}`);
    await writeFile(tmp, bytes);
    await rename(tmp, this.#path(name));
    entries.set(name, { size: bytes.byteLength, used: Date.now() });
    this.#bytes += bytes.byteLength;
    await this.#trim();
  }

  /** Bytes held now. */
  async size(): Promise<number> {
    await this.#open();
    return this.#bytes;
  }

  #path(name: string): string {
    return join(this.dir, name);
  }

  async #open(): Promise<Map<string, Entry>> {
    if (this.#entries) return this.#entries;
    await mkdir(this.dir, { recursive: true });
    const entries = new Map<string, Entry>();
    for (const name of await readdir(this.dir)) {
      if (name.startsWith('.tmp-')) {
        await rm(join(this.dir, name), { force: true }); // left by a crash mid-write
        continue;
      }
      if (!/^(l-)?[0-9a-f]{64}$/.test(name)) continue;
      const st = await stat(join(this.dir, name)).catch(() => undefined);
      if (!st) continue;
      entries.set(name, { size: st.size, used: st.mtimeMs });
      this.#bytes += st.size;
    }
    this.#entries ??= entries;
    return this.#entries;
  }

  async #trim(): Promise<void> {
    if (this.#bytes <= this.maxBytes) return;
    const oldest = [...this.#entries!.entries()].sort((a, b) => a[1].used - b[1].used);
    for (const [hash] of oldest) {
      if (this.#bytes <= this.maxBytes) break;
      await this.#drop(hash);
    }
  }

  #forget(hash: string): void {
    const e = this.#entries?.get(hash);
    if (!e) return;
    this.#entries!.delete(hash);
    this.#bytes -= e.size;
  }

  async #drop(hash: string): Promise<void> {
    this.#forget(hash);
    await rm(this.#path(hash), { force: true });
  }
}
