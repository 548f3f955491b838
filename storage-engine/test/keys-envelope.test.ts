import { randomBytes } from 'node:crypto';
import { chmod, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '../src/codec/codec.js';
import { KeyError } from '../src/errors.js';
import { loadMasterKey, loadSecret, MasterKey, MemoryKeyProvider, newDataKey, rewrap } from '../src/keys/keys.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

describe('envelope encryption', () => {
  it('wraps and unwraps data keys; another master or a tampered wrapping is refused', () => {
    const master = MasterKey.fromBytes(randomBytes(32));
    const dk = newDataKey();
    const wrapped = master.wrap(dk);
    expect(wrapped.startsWith(`v1.${master.id}.`)).toBe(true);
    const back = master.unwrap(wrapped);
    expect(back.id.equals(dk.id) && back.key.equals(dk.key)).toBe(true);
    expect(() => MasterKey.fromBytes(randomBytes(32)).unwrap(wrapped)).toThrow(KeyError);
    const body = Buffer.from(wrapped.split('.')[2]!, 'base64url');
    body[40]! ^= 1;
    expect(() => master.unwrap(`v1.${master.id}.${body.toString('base64url')}`)).toThrow(KeyError);
    expect(() => master.unwrap('garbage')).toThrow(KeyError);
    expect(() => MasterKey.fromBytes(randomBytes(31))).toThrow(KeyError);
  });

  it('rotating the master re-wraps data keys only: old frames still decode', async () => {
    const oldMaster = MasterKey.fromBytes(randomBytes(32));
    const newMaster = MasterKey.fromBytes(randomBytes(32));
    const provider = new MemoryKeyProvider(oldMaster);
    const dk = await provider.currentKey('ns');
    const frame = encodeFrame(Buffer.from('written before rotation'), dk);
    const before = provider.wrappedKeys('ns');
    provider.rotate(newMaster);
    const after = provider.wrappedKeys('ns');
    expect(after[0]).not.toBe(before[0]);
    expect(() => oldMaster.unwrap(after[0]!)).toThrow(KeyError);
    const again = await provider.keyById('ns', dk.id);
    expect(decodeFrame(frame, again).toString()).toBe('written before rotation');
    expect(rewrap(before[0]!, oldMaster, newMaster).startsWith(`v1.${newMaster.id}.`)).toBe(true);
    await expect(provider.keyById('ns', randomBytes(16))).rejects.toBeInstanceOf(KeyError);
  });
});

describe('key files', () => {
  const dir = useTempDir('coffer-keys-');

  it('creates a 0600 master key file on first use and reuses it', async () => {
    const file = join(dir(), 'a', 'b', 'master.key');
    const first = await loadMasterKey({ file });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await loadMasterKey({ file })).id).toBe(first.id);
  });

  it('two processes booting at once end up with one key', async () => {
    const file = join(dir(), 'race', 'secret.key');
    const [a, b, c] = await Promise.all([loadSecret({ file }), loadSecret({ file }), loadSecret({ file })]);
    expect(a.equals(b) && b.equals(c)).toBe(true);
  });

  it('takes a key from the environment as base64 or hex, and refuses bad lengths', async () => {
    const raw = randomBytes(32);
    const file = join(dir(), 'unused.key');
    expect((await loadSecret({ envValue: raw.toString('base64'), file })).equals(raw)).toBe(true);
    expect((await loadSecret({ envValue: raw.toString('hex'), file })).equals(raw)).toBe(true);
    await expect(loadSecret({ envValue: randomBytes(16).toString('base64'), file })).rejects.toBeInstanceOf(KeyError);
  });

  it('refuses a key file others can read', async () => {
    const file = join(dir(), 'open.key');
    await writeFile(file, randomBytes(32).toString('base64'));
    await chmod(file, 0o644);
    await expect(loadSecret({ file })).rejects.toBeInstanceOf(KeyError);
  });
});
