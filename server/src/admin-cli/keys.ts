/**
 * The two secrets that make the data readable besides the database: the master key (wraps every
 * data key) and the server secret (block names, sealed settings). Read as the server reads them,
 * from the environment or the data directory's key files, but never created here: a missing key
 * file is an error, not a fresh key.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadSecret } from '@coffer/storage-engine';
import type { Config } from '../config.js';
import { AdminError } from './context.js';

export interface KeyPlace {
  /** Which secret, for messages. */
  what: 'master key' | 'server secret';
  env: 'COFFER_MASTER_KEY' | 'COFFER_SERVER_SECRET';
  envValue?: string;
  file: string;
}

export function keyPlaces(c: Config): { master: KeyPlace; secret: KeyPlace } {
  return {
    master: { what: 'master key', env: 'COFFER_MASTER_KEY', envValue: c.masterKey, file: join(c.dataDir, 'keys', 'master.key') },
    secret: { what: 'server secret', env: 'COFFER_SERVER_SECRET', envValue: c.serverSecret, file: join(c.dataDir, 'keys', 'server-secret.key') },
  };
}

/** The key's 32 bytes, or undefined when neither the environment nor the file has it. */
export async function readKey(p: KeyPlace): Promise<Buffer | undefined> {
  if (!p.envValue && !(await exists(p.file))) return undefined;
  return loadSecret({ envValue: p.envValue, file: p.file });
}

export async function mustReadKey(p: KeyPlace): Promise<Buffer> {
  const key = await readKey(p);
  if (!key) throw new AdminError(`no ${p.what}: neither ${p.env} nor ${p.file} (is COFFER_DATA_DIR right?)`);
  return key;
}

/** Write a key file as the server makes one (base64, mode 0600), atomically: temp file, fsync, rename. */
export async function writeKeyFile(file: string, key: Buffer): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(key.toString('base64') + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
}

/** A key file named on the command line (base64 or hex of 32 bytes, mode 0600). */
export async function keyFromFile(file: string): Promise<Buffer> {
  if (!(await exists(file))) throw new AdminError(`${file}: no such file (make one with: head -c 32 /dev/urandom | base64 > ${file}; chmod 600 ${file})`);
  return loadSecret({ file });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
