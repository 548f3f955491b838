/**
 * Temporary directories for tests and their fixtures, in every part: made fresh under the OS temp
 * dir (or a given parent) and removed again, whatever the test did.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';

export interface TempDir {
  readonly path: string;
  remove(): Promise<void>;
}

/** A fresh directory; the caller removes it (fixtures that outlive one test). */
export async function makeTempDir(prefix: string, parent = tmpdir()): Promise<TempDir> {
  const path = await mkdtemp(join(parent, prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** Run `fn` with a fresh directory, removed afterwards. */
export async function withTempDir<T>(prefix: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await makeTempDir(prefix);
  try {
    return await fn(dir.path);
  } finally {
    await dir.remove();
  }
}

/**
 * A fresh directory for the enclosing `describe` (or file): made before its tests and removed
 * after them — or around each test with `each: true`. Call the answer inside tests and hooks.
 */
export function useTempDir(prefix: string, opts: { each?: boolean; parent?: string } = {}): () => string {
  let dir: TempDir | undefined;
  const [before, after] = opts.each ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    dir = await makeTempDir(prefix, opts.parent);
  });
  after(async () => {
    await dir?.remove();
    dir = undefined;
  });
  return () => {
    if (!dir) throw new Error('the temporary directory exists only inside tests and hooks');
    return dir.path;
  };
}
