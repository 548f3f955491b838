import { mkdir, open, opendir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, NodeDownError, NotFoundError } from '../errors.js';
import { native, type NativeAddon } from '../native.js';
import { durableWrite } from './fs-writer.js';
import { ReadHandles } from './fs-read-handles.js';
import { checkKey, checkPrefix, checkRange } from './keys.js';
import type { PutHint, StorageNode } from './node.js';

/** Temp files carry '~', which no key may contain, so they never collide with or look like keys. */
const TEMP_MARK = '~';
/** A temp file this old is a crash leftover (no put takes an hour); `list` removes it. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/** Error codes meaning "no such path" — an absent object, unless the whole root is gone. */
const ABSENT = new Set(['ENOENT', 'ENOTDIR']);

function codeOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * A storage node that is a local directory: key `ab/cd.1.0` is the file `<dir>/ab/cd.1.0`.
 *
 * Writes are atomic and durable: a temp file in the target directory is written, fdatasync'ed,
 * renamed over the key, and the directory fsync'ed, so a crash leaves the old object or the
 * new one, never a torn file.
 *
 * Objects read whole (block shards) are written and read around the page cache (O_DIRECT, with
 * the C addon), as MinIO does: a node's reads are the server's, which keeps what it needs in
 * memory of its own, so page cache for them only took memory from the rest of the machine — and on
 * a VM whose host backs guest memory lazily, each MiB of page cache touched for the first time
 * cost ~2.3 ms of CPU, inside the upload that wrote it. Packs (`put`'s `ranged` hint), read an
 * entry at a time, stay in the page cache. The root directory is created on first use; if it later vanishes
 * (an unmounted disk), every call fails with NodeDownError rather than recreating it.
 */
export class FsNode implements StorageNode {
  private rootReady: Promise<void> | undefined;
  /** Ranged reads are of packs (written once, never changed in place): their handles are kept (fs-read-handles.ts). */
  private readonly handles = new ReadHandles();

  constructor(
    readonly id: string,
    readonly dir: string,
  ) {}

  async put(key: string, data: Uint8Array | readonly Uint8Array[], hint?: PutHint): Promise<void> {
    checkKey(key);
    try {
      await this.ensureRoot();
    } catch (err) {
      throw this.down(`put ${key}: cannot create ${this.dir}`, err);
    }
    this.handles.forget(this.pathOf(key));
    try {
      await durableWrite(this.dir, this.pathOf(key), data instanceof Uint8Array ? [data] : data, TEMP_MARK, hint?.ranged !== true);
    } catch (err) {
      if ((codeOf(err) === 'EISDIR' || codeOf(err) === 'ENOTDIR') && (await this.rootOk())) {
        throw new InvalidArgumentError(`key ${key} collides with another key used as a directory`);
      }
      throw this.down(`put ${key}`, err);
    }
  }

  async get(key: string, range?: { start: number; end: number }, into?: (bytes: number) => Buffer, expect?: number): Promise<Buffer> {
    checkKey(key);
    if (range) {
      checkRange(range);
      return this.getRange(key, range, into);
    }
    if (native) return this.getDirect(key, native, into, expect);
    let fh: FileHandle;
    try {
      fh = await open(this.pathOf(key), 'r');
    } catch (err) {
      throw await this.absentOrDown(`get ${key}`, key, err);
    }
    try {
      if (!into) return await fh.readFile();
      const { size } = await fh.stat();
      return await readRange(fh, 0, size, into);
    } catch (err) {
      throw this.readError(key, err);
    } finally {
      await fh.close().catch(() => undefined);
    }
  }

  /** A whole object, read around the page cache (it was written so: `put`). */
  private async getDirect(key: string, addon: NativeAddon, into?: (bytes: number) => Buffer, expect?: number): Promise<Buffer> {
    const path = this.pathOf(key);
    // Sized by what the caller expects, with no stat first: the read job learns the file's size
    // itself (fstat), and a stat per shard was ~5 % of a big download's main thread. Longer than
    // expected (ERANGE): read again at its size, for the caller to judge.
    if (expect !== undefined && expect > 0) {
      const read = await this.readWhole(key, addon, into ? into(expect) : Buffer.allocUnsafe(expect), true);
      if (read) return read;
    }
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch (err) {
      throw await this.absentOrDown(`get ${key}`, key, err);
    }
    return (await this.readWhole(key, addon, into ? into(size) : Buffer.allocUnsafe(size), false))!;
  }

  /** directRead into `out`; undefined when the file is larger and `tooSmallOk`. */
  private async readWhole(key: string, addon: NativeAddon, out: Buffer, tooSmallOk: boolean): Promise<Buffer | undefined> {
    try {
      const got = await addon.directRead(this.pathOf(key), out);
      return got === out.length ? out : out.subarray(0, got);
    } catch (err) {
      if (ABSENT.has(codeOf(err) ?? '')) throw await this.absentOrDown(`get ${key}`, key, err);
      if (tooSmallOk && codeOf(err) === 'ERANGE') return undefined;
      throw this.readError(key, err);
    }
  }

  /** A packed shard's bytes: one read on a kept handle (open only the first time). */
  private async getRange(key: string, range: { start: number; end: number }, into?: (bytes: number) => Buffer): Promise<Buffer> {
    let opened = false;
    try {
      return await this.handles.with(this.pathOf(key), async (fh) => {
        opened = true;
        const got = await readRange(fh, range.start, range.end, into);
        if (got.byteLength === 0 && range.end > range.start) {
          const { size } = await fh.stat();
          throw new InvalidArgumentError(`range [${range.start}, ${range.end}) starts past the end of ${key} (${size} bytes)`);
        }
        return got;
      });
    } catch (err) {
      if (!opened) throw await this.absentOrDown(`get ${key}`, key, err);
      throw this.readError(key, err);
    }
  }

  private readError(key: string, err: unknown): Error {
    if (err instanceof InvalidArgumentError) return err;
    // Reading a directory (a key that is only a prefix of other keys) means "no such object".
    if (codeOf(err) === 'EISDIR') return new NotFoundError(this.id, key);
    return this.down(`get ${key}`, err);
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    checkKey(key);
    try {
      const st = await stat(this.pathOf(key));
      return st.isFile() ? { size: st.size } : undefined;
    } catch (err) {
      const e = await this.absentOrDown(`head ${key}`, key, err);
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    this.handles.forget(this.pathOf(key));
    try {
      await unlink(this.pathOf(key));
    } catch (err) {
      if (codeOf(err) === 'EISDIR') return; // a directory is not an object
      const e = await this.absentOrDown(`delete ${key}`, key, err);
      if (e instanceof NotFoundError) return;
      throw e;
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    checkPrefix(prefix);
    if (!(await this.rootOk())) throw new NodeDownError(this.id, `list: directory ${this.dir} is missing`);
    // Start at the deepest directory the prefix names in full; filter the rest by string prefix.
    const cut = prefix.lastIndexOf('/');
    yield* this.walk(cut < 0 ? '' : prefix.slice(0, cut), prefix);
  }

  private async *walk(rel: string, prefix: string): AsyncGenerator<string> {
    let entries;
    try {
      entries = await opendir(rel === '' ? this.dir : this.pathOf(rel));
    } catch (err) {
      if (ABSENT.has(codeOf(err) ?? '') && (await this.rootOk())) return; // nothing under it
      throw this.down(`list ${prefix}`, err);
    }
    const subdirs: string[] = [];
    try {
      for await (const e of entries) {
        const name = rel === '' ? e.name : `${rel}/${e.name}`;
        if (e.name.includes(TEMP_MARK)) {
          if (e.isFile()) await this.dropIfStale(name);
        } else if (e.isDirectory()) {
          const asDir = `${name}/`;
          if (asDir.startsWith(prefix) || prefix.startsWith(asDir)) subdirs.push(name);
        } else if (e.isFile() && name.startsWith(prefix)) {
          yield name;
        }
      }
    } catch (err) {
      throw this.down(`list ${prefix}`, err);
    }
    for (const d of subdirs) yield* this.walk(d, prefix);
  }

  /** Crash leftovers: remove temp files older than any put could take. Best effort. */
  private async dropIfStale(rel: string): Promise<void> {
    const path = this.pathOf(rel);
    try {
      const st = await stat(path);
      if (Date.now() - st.mtimeMs > STALE_TEMP_MS) await unlink(path);
    } catch {
      // gone already, or unreadable: listing goes on either way
    }
  }

  private ensureRoot(): Promise<void> {
    this.rootReady ??= mkdir(this.dir, { recursive: true }).then(
      () => undefined,
      (err: unknown) => {
        this.rootReady = undefined; // try again next time
        throw err;
      },
    );
    return this.rootReady;
  }

  private async rootOk(): Promise<boolean> {
    try {
      return (await stat(this.dir)).isDirectory();
    } catch {
      return false;
    }
  }

  /** ENOENT-like errors are an absent object while the root is there; everything else is a down node. */
  private async absentOrDown(op: string, key: string, err: unknown): Promise<NotFoundError | NodeDownError> {
    if (ABSENT.has(codeOf(err) ?? '')) {
      if (await this.rootOk()) return new NotFoundError(this.id, key);
      return new NodeDownError(this.id, `${op}: directory ${this.dir} is missing`, { cause: err });
    }
    return this.down(op, err);
  }

  private down(op: string, err: unknown): NodeDownError {
    if (err instanceof NodeDownError) return err;
    const detail = err instanceof Error ? err.message : String(err);
    return new NodeDownError(this.id, `${op}: ${detail}`, { cause: err });
  }

  private pathOf(key: string): string {
    return join(this.dir, key);
  }
}

async function readRange(fh: FileHandle, start: number, end: number, into?: (bytes: number) => Buffer): Promise<Buffer> {
  const out = into ? into(end - start) : Buffer.allocUnsafe(end - start);
  let filled = 0;
  while (filled < out.length) {
    const { bytesRead } = await fh.read(out, filled, out.length - filled, start + filled);
    if (bytesRead === 0) break; // the file shrank under us: return what is there
    filled += bytesRead;
  }
  return filled === out.length ? out : out.subarray(0, filled);
}
