import { readFile } from 'node:fs/promises';
import { AdminError } from './context.js';

const MIN_LENGTH = 12;

/** The backup passphrase from its file (one line; the trailing newline is not part of it). */
export async function readPassphrase(file: string): Promise<string> {
  const text = (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
  if (text.length < MIN_LENGTH) throw new AdminError(`the passphrase in ${file} is shorter than ${MIN_LENGTH} characters`);
  return text;
}
