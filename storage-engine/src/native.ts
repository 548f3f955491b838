import { createRequire } from 'node:module';
import { GEAR } from '@coffer/protocol';

/**
 * The engine's C addon (`storage-engine/native`, built on install): the chunker's gear scan,
 * AES-256-GCM into memory the caller gives, and FsNode's durable writes as thread-pool jobs. node:crypto's ciphers return a fresh buffer for
 * every call, and that garbage — a whole block's worth per block — had V8 collecting for
 * "external memory pressure" on every core; the addon writes ciphertext straight into the shard
 * area and plaintext into a buffer of the block's size. Its output is bit for bit the JavaScript
 * paths' (tests compare them), so frames and chunk boundaries never depend on which one ran.
 * Where it did not build, or with COFFER_NATIVE=0, the JavaScript paths serve.
 */
export interface NativeAddon {
  gearTable(): Uint32Array;
  /** Cut index (>= 0), or -1 - hash (the uint32 hash after the last byte) when none. */
  gearScan(data: Uint8Array, i: number, stop: number, h: number, t: number): number;
  gcmSeal(key: Uint8Array, nonce: Uint8Array, aad1: Uint8Array, aad2: Uint8Array, src: Uint8Array, out: Uint8Array, tag: Uint8Array): void;
  /** False when the tag does not verify (out then holds unverified bytes: discard them). */
  gcmOpen(key: Uint8Array, nonce: Uint8Array, aad1: Uint8Array, aad2: Uint8Array, src: Uint8Array, tag: Uint8Array, out: Uint8Array): boolean;
  /** Create `tmp`, write the parts, fdatasync, rename over `path`, fsync `dir` (made below `root`
   *  when missing), on libuv's thread pool. Rejects with an Error carrying `code` (errno name, or
   *  ENOROOT when `root` is gone) and `syscall`. */
  durableWrite(tmp: string, path: string, dir: string, root: string, parts: Uint8Array[], flags?: number): Promise<void>;
  /** rename(2) that fails with EEXIST instead of replacing `to` (renameat2 RENAME_NOREPLACE,
   *  renamex_np RENAME_EXCL); throws an Error whose `code` is the errno's name (ENOSYS, EINVAL
   *  where the system or file system has no such rename). Used by the sync agent. */
  renameNoReplace(from: string, to: string): void;
  /** The whole file into `into` (at least its size), around the page cache where the file system lets it; the bytes read. */
  directRead(path: string, into: Uint8Array): Promise<number>;
}

/** durableWrite's flags. DIRECT: write around the page cache (O_DIRECT where the file system takes
 *  it), for copies rarely read again; NO_SYNC: no fdatasync and no directory fsync (a cache, which
 *  may lose what it held at a crash). Still atomic: a temp file renamed into place. */
export const WRITE_DIRECT = 1;
export const WRITE_NO_SYNC = 2;

function load(): NativeAddon | undefined {
  if (process.env.COFFER_NATIVE === '0') return undefined;
  try {
    const addon = createRequire(import.meta.url)('@coffer/native') as NativeAddon;
    // A table that differs would move every chunk boundary: refuse the addon rather than that.
    const table = addon.gearTable();
    return table.every((v, i) => v === GEAR[i]! >>> 0) ? addon : undefined;
  } catch {
    return undefined;
  }
}

export const native: NativeAddon | undefined = load();
