/**
 * Plaintext of blocks this device sent or received, kept so that the next edit of a file can be
 * sent as a delta against its previous version's block (issue 21): the old bytes are gone from
 * the file once it is edited, and fetching them back would cost what the delta saves. A folder
 * of files named by hash, bounded in bytes, the least recently used dropped first; every read is
 * checked against its name, so a damaged entry is a miss, never a wrong base.
 * It keeps the block lists of versions this device sent or received as well (`l-` and the content
 * hash, block-list-file.ts): where a delta finds its bases, without asking the server for them.
 *
 * Entries up to INLINE_BYTES (small files' blocks, block lists) are rows of one SQLite file in the
 * folder (`blocks.db`, WAL, not fsync'd: a cache may lose its last writes, and a torn row fails its
 * check like a damaged file); bigger ones are files. A file per small block cost a file creation
 * per synced file, twice with its list: ~0.3-1 ms of CPU each here, seconds for a tree of
 * thousands of small files, where a row costs tens of microseconds. Files of small entries left
 * by an earlier version are still read, and dropped as usual.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { BlockRef } from '@coffer/protocol';
import { native, WRITE_DIRECT, WRITE_NO_SYNC } from '@coffer/storage-engine/native';
import { readBackBlocks } from './block-fill.js';
import { LIST_PREFIX, listFromFile, listToFile } from './block-list-file.js';
import type { ReadableFile } from './file-handle.js';

export interface BlockCache {
  get(hash: string): Promise<Buffer | undefined>;
  put(hash: string, bytes: Uint8Array): Promise<void>;
  /** The block list of the version with this content hash, when this device had it. */
  getList?(contentHash: string): Promise<BlockRef[] | undefined>;
  putList?(blocks: readonly BlockRef[]): Promise<void>;
  /** Keep the blocks of `blocks` that `file` holds, and the list, later (off the transfer's path:
   *  block-fill.ts); what is read from the cache meanwhile waits for it. */
  fill?(file: ReadableFile, blocks: readonly BlockRef[]): void;
}

/** Entries up to this size are rows of `blocks.db`, bigger ones files of their own. */
export const INLINE_BYTES = 256 * 1024;
/** The database of small entries, in the cache's folder. */
export const INLINE_DB = 'blocks.db';

interface Entry {
  size: number;
  used: number;
  /** A row of `blocks.db`, not a file. */
  inline: boolean;
}

interface Rows {
  get: StatementSync;
  put: StatementSync;
  touch: StatementSync;
  drop: StatementSync;
}

export class DiskBlockCache implements BlockCache {
  #entries: Map<string, Entry> | undefined;
  #rows: Rows | undefined;
  #db: DatabaseSync | undefined;
  #bytes = 0;
  #seq = 0;
  /** A transaction of `blocks.db` is open, committed at the next turn of the event loop (#batch). */
  #inTx = false;
  /** The fills queued so far (`fill`), one after the other; reads wait for them, so a base is never missed for being late. */
  #filling: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    /** The most plaintext kept; a 64 MiB file needs 64 MiB to be sent as deltas when edited. */
    readonly maxBytes = 1024 * 1024 * 1024,
  ) {}

  async get(hash: string): Promise<Buffer | undefined> {
    await this.#filling;
    return this.#read(hash, (bytes) => createHash('sha256').update(bytes).digest('hex') === hash);
  }

  put(hash: string, bytes: Uint8Array): Promise<void> {
    return this.#write(hash, bytes);
  }

  fill(file: ReadableFile, blocks: readonly BlockRef[]): void {
    const list = [...blocks];
    const run = async () => {
      const entries = await this.#open();
      const now = Date.now();
      const had = (hash: string) => {
        const e = entries.get(hash);
        if (e) e.used = now; // as a put of it would
        return e !== undefined;
      };
      await readBackBlocks(file, list, had, (hash, bytes) => this.#write(hash, bytes));
      await this.putList(list);
    };
    // A fill that fails (the file gone, the disk) leaves misses, which cost deltas, never an error.
    this.#filling = this.#filling.then(run).catch(() => undefined);
  }

  /** Every fill queued so far is done (before a process that filled exits). */
  settled(): Promise<void> {
    return this.#filling;
  }

  async getList(contentHash: string): Promise<BlockRef[] | undefined> {
    await this.#filling;
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
    const entry = entries.get(name);
    if (!entry) return undefined;
    let bytes: Buffer;
    try {
      if (entry.inline) {
        const row = this.#rows!.get.get(name) as { bytes: Uint8Array } | undefined;
        if (!row) throw new Error('row gone');
        bytes = Buffer.from(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength);
      } else bytes = await readFile(this.#path(name));
    } catch {
      this.#forget(name);
      return undefined;
    }
    if (!check(bytes)) {
      await this.#drop(name);
      return undefined;
    }
    const now = new Date();
    entry.used = now.getTime();
    if (entry.inline) {
      this.#batch();
      this.#rows!.touch.run(entry.used, name);
    }
    else await utimes(this.#path(name), now, now).catch(() => undefined);
    return bytes;
  }

  /** Writes under way by name: a second write of the same block waits for the first (not counted twice). */
  readonly #writing = new Map<string, Promise<void>>();

  #write(name: string, bytes: Uint8Array): Promise<void> {
    const under = this.#writing.get(name);
    if (under) return under;
    const p = this.#writeNew(name, bytes).finally(() => this.#writing.delete(name));
    this.#writing.set(name, p);
    return p;
  }

  async #writeNew(name: string, bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength > this.maxBytes) return;
    const entries = await this.#open();
    const had = entries.get(name);
    if (had) {
      had.used = Date.now();
      return;
    }
    const inline = bytes.byteLength <= INLINE_BYTES;
    const used = Date.now();
    if (inline) {
      this.#batch();
      this.#rows!.put.run(name, bytes, used);
    }
    else {
      const tmp = join(this.dir, `.tmp-${process.pid}-${this.#seq++}`);
      // Around the page cache, unsynced (native.ts WRITE_DIRECT): a copy read again only for an
      // edit's delta, whose 1 MiB of first-touched page cache cost ~2.3 ms of CPU on a VM, inside
      // the upload it is kept by (a new 100 MiB file: ~0.2 s more on two cores).
      if (native) await native.durableWrite(tmp, this.#path(name), this.dir, this.dir, [bytes], WRITE_DIRECT | WRITE_NO_SYNC);
      else {
        await writeFile(tmp, bytes);
        await rename(tmp, this.#path(name));
      }
    }
    entries.set(name, { size: bytes.byteLength, used, inline });
    this.#bytes += bytes.byteLength;
    await this.#trim();
  }

  /** Bytes held now. */
  async size(): Promise<number> {
    await this.#filling;
    await this.#open();
    return this.#bytes;
  }

  #path(name: string): string {
    return join(this.dir, name);
  }

  /** The opening under way: calls meanwhile share it (each scanning alone removed the others' temp files as a crash's leftovers). */
  #opening: Promise<Map<string, Entry>> | undefined;

  #open(): Promise<Map<string, Entry>> {
    if (this.#entries) return Promise.resolve(this.#entries);
    return (this.#opening ??= this.#openNow().finally(() => (this.#opening = undefined)));
  }

  async #openNow(): Promise<Map<string, Entry>> {
    await mkdir(this.dir, { recursive: true });
    const entries = new Map<string, Entry>();
    let bytes = 0;
    for (const name of await readdir(this.dir)) {
      if (name.startsWith('.tmp-')) {
        await rm(join(this.dir, name), { force: true }); // left by a crash mid-write
        continue;
      }
      if (!/^(l-)?[0-9a-f]{64}$/.test(name)) continue;
      const st = await stat(join(this.dir, name)).catch(() => undefined);
      if (!st) continue;
      entries.set(name, { size: st.size, used: st.mtimeMs, inline: false });
      bytes += st.size;
    }
    if (this.#entries) return this.#entries; // another call opened it meanwhile
    const db = new DatabaseSync(join(this.dir, INLINE_DB), { timeout: 5000 });
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
    db.exec('CREATE TABLE IF NOT EXISTS entries (name TEXT PRIMARY KEY, bytes BLOB NOT NULL, used INTEGER NOT NULL)');
    for (const r of db.prepare('SELECT name, length(bytes) AS size, used FROM entries').iterate() as Iterable<{ name: string; size: number; used: number }>) {
      if (entries.has(r.name)) continue;
      entries.set(r.name, { size: r.size, used: r.used, inline: true });
      bytes += r.size;
    }
    this.#db = db;
    this.#rows = {
      get: db.prepare('SELECT bytes FROM entries WHERE name = ?'),
      put: db.prepare('INSERT OR REPLACE INTO entries (name, bytes, used) VALUES (?, ?, ?)'),
      touch: db.prepare('UPDATE entries SET used = ? WHERE name = ?'),
      drop: db.prepare('DELETE FROM entries WHERE name = ?'),
    };
    this.#bytes = bytes;
    this.#entries = entries;
    return entries;
  }

  /**
   * The row writes of one turn of the event loop go in one transaction, committed at the next
   * (setImmediate): each its own commit cost ~50 µs of CPU and ~100 µs of the event loop in WAL
   * writes (5,000 rows of 700 B: 257 ms of CPU, 578 ms of wall, against 99 and 159 in batches),
   * twice per synced small file. A cache may lose its last writes (a crash before the commit): a miss.
   */
  #batch(): void {
    if (this.#inTx || !this.#db) return;
    this.#db.exec('BEGIN');
    this.#inTx = true;
    setImmediate(() => this.#commit());
  }

  #commit(): void {
    if (!this.#inTx) return;
    this.#inTx = false;
    try {
      this.#db?.exec('COMMIT');
    } catch {
      // Busy past the timeout (another process on the folder) or the disk: the rows are lost, and
      // a read of one then finds no row, a miss (#read). Never an exception out of a timer.
      try {
        this.#db?.exec('ROLLBACK');
      } catch {
        // no transaction left to undo
      }
    }
  }

  /** Closes the database of small entries (a later use opens it again). */
  close(): void {
    this.#commit();
    this.#db?.close();
    this.#db = undefined;
    this.#rows = undefined;
    this.#entries = undefined;
    this.#bytes = 0;
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

  async #drop(name: string): Promise<void> {
    const inline = this.#entries?.get(name)?.inline;
    this.#forget(name);
    if (inline) {
      this.#batch();
      this.#rows!.drop.run(name);
    }
    else await rm(this.#path(name), { force: true });
  }
}
