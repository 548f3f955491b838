/**
 * Envelope encryption: each namespace's blocks are encrypted under its own random data key, and
 * data keys are stored only wrapped (AES-256-GCM) by the master key. Rotating the master key
 * re-wraps the data keys; no block is rewritten.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DataKey } from '../codec/codec.js';
import { KeyError } from '../errors.js';

export class MasterKey {
  /** Short fingerprint: which master wrapped a key, without revealing the key. */
  readonly id: string;

  private constructor(private readonly key: Buffer) {
    this.id = createHash('sha256').update(key).digest().subarray(0, 8).toString('hex');
  }

  static fromBytes(bytes: Buffer): MasterKey {
    if (bytes.byteLength !== 32) throw new KeyError(`a master key is 32 bytes, not ${bytes.byteLength}`);
    return new MasterKey(Buffer.from(bytes));
  }

  /** "v1.<master id>.<base64url(key id | nonce | wrapped key | tag)>" */
  wrap(dataKey: DataKey): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(dataKey.id);
    const ct = Buffer.concat([cipher.update(dataKey.key), cipher.final()]);
    const body = Buffer.concat([dataKey.id, nonce, ct, cipher.getAuthTag()]);
    return `v1.${this.id}.${body.toString('base64url')}`;
  }

  unwrap(wrapped: string): DataKey {
    const [version, masterId, body64] = wrapped.split('.');
    if (version !== 'v1' || !masterId || !body64) throw new KeyError('malformed wrapped key');
    if (masterId !== this.id) throw new KeyError(`key was wrapped by master ${masterId}, not ${this.id}`);
    const body = Buffer.from(body64, 'base64url');
    if (body.byteLength !== 16 + 12 + 32 + 16) throw new KeyError('malformed wrapped key');
    const id = body.subarray(0, 16);
    const decipher = createDecipheriv('aes-256-gcm', this.key, body.subarray(16, 28));
    decipher.setAAD(id);
    decipher.setAuthTag(body.subarray(60));
    try {
      const key = Buffer.concat([decipher.update(body.subarray(28, 60)), decipher.final()]);
      return { id: Buffer.from(id), key };
    } catch (err) {
      throw new KeyError('wrapped key failed authentication', { cause: err });
    }
  }
}

export function newDataKey(): DataKey {
  return { id: randomBytes(16), key: randomBytes(32) };
}

/** Rotation of one data key: unwrapped by the old master, wrapped by the new one. */
export function rewrap(wrapped: string, from: MasterKey, to: MasterKey): string {
  return to.wrap(from.unwrap(wrapped));
}

/**
 * 32 secret bytes from an environment value (base64 or hex) if given, else from a file that is
 * created with mode 0600 on first use. Creation is race-safe: two processes booting at once end
 * up with the same key.
 */
export async function loadSecret(opts: { envValue?: string; file: string }): Promise<Buffer> {
  if (opts.envValue) return parseSecret(opts.envValue, 'environment value');
  await mkdir(dirname(opts.file), { recursive: true, mode: 0o700 });
  try {
    const fh = await open(opts.file, 'wx', 0o600);
    try {
      await fh.writeFile(randomBytes(32).toString('base64') + '\n');
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const st = await stat(opts.file);
  if ((st.mode & 0o077) !== 0) throw new KeyError(`${opts.file} is readable by others (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`);
  // A file another process is still writing may be empty for an instant.
  for (let attempt = 0; ; attempt++) {
    const text = (await readFile(opts.file, 'utf8')).trim();
    if (text || attempt >= 20) return parseSecret(text, opts.file);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function loadMasterKey(opts: { envValue?: string; file: string }): Promise<MasterKey> {
  return MasterKey.fromBytes(await loadSecret(opts));
}

function parseSecret(text: string, where: string): Buffer {
  const t = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64');
  if (bytes.byteLength !== 32) throw new KeyError(`${where}: expected 32 bytes as base64 or hex, got ${bytes.byteLength}`);
  return bytes;
}

/** What the block store is given to find data keys. */
export interface KeyProvider {
  /** The current data key of a namespace, for writing (created on first use). */
  currentKey(namespace: string): Promise<DataKey>;
  /** A namespace's data key by id, for reading. KeyError if unknown. */
  keyById(namespace: string, keyId: Buffer): Promise<DataKey>;
}

/** Data keys held wrapped in memory: for the engine's own tests and benchmarks. */
export class MemoryKeyProvider implements KeyProvider {
  private readonly wrapped = new Map<string, string[]>();
  private readonly cache = new Map<string, DataKey>();

  constructor(private master: MasterKey) {}

  async currentKey(namespace: string): Promise<DataKey> {
    const list = this.wrapped.get(namespace);
    if (list?.length) return this.unwrapCached(list.at(-1)!);
    const key = newDataKey();
    this.wrapped.set(namespace, [this.master.wrap(key)]);
    return key;
  }

  async keyById(namespace: string, keyId: Buffer): Promise<DataKey> {
    for (const w of this.wrapped.get(namespace) ?? []) {
      const k = this.unwrapCached(w);
      if (k.id.equals(keyId)) return k;
    }
    throw new KeyError(`namespace has no data key ${keyId.toString('hex')}`);
  }

  /** Re-wrap every held key under a new master (blocks stay as they are). */
  rotate(to: MasterKey): void {
    for (const [ns, list] of this.wrapped) this.wrapped.set(ns, list.map((w) => rewrap(w, this.master, to)));
    this.master = to;
    this.cache.clear();
  }

  /** The wrapped forms, as a database would hold them. */
  wrappedKeys(namespace: string): string[] {
    return [...(this.wrapped.get(namespace) ?? [])];
  }

  private unwrapCached(w: string): DataKey {
    let k = this.cache.get(w);
    if (!k) {
      k = this.master.unwrap(w);
      this.cache.set(w, k);
    }
    return k;
  }
}
