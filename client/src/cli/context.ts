/** What every command shares: argument parsing, the saved login, remote path rules, output. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CofferApi } from '../api/client.js';
import { UsageError } from '../api/errors.js';
import type { Trust } from '../api/pinned-agent.js';
import { loadConfig, type Config } from './config.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with strict options and a positional count check; mistakes are UsageError (exit 2). */
export function parse<O extends Options>(args: string[], options: O, positionals: { min: number; max: number; usage: string }) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\nusage: ${positionals.usage}`);
  }
  const n = parsed.positionals.length;
  if (n < positionals.min || n > positionals.max) throw new UsageError(`usage: ${positionals.usage}`);
  return parsed;
}

export function trustOf(c: Pick<Config, 'fingerprint' | 'ca' | 'insecureHttp'>): Trust {
  if (c.fingerprint) return { fingerprint: c.fingerprint };
  if (c.ca) return { ca: c.ca };
  if (c.insecureHttp) return { insecureHttp: true };
  throw new Error('the saved login names no way to trust the server; run `coffer login` again');
}

export interface Session {
  config: Config;
  api: CofferApi;
}

export async function openSession(): Promise<Session> {
  const config = await loadConfig((m) => process.stderr.write(`coffer: warning: ${m}\n`));
  if (!config) throw new Error('not logged in; run `coffer login URL` first');
  return { config, api: new CofferApi(config.url, trustOf(config), config.token) };
}

/** Remote paths are absolute and `/`-separated; `foo/bar` means `/foo/bar`, trailing slashes go. */
export function remotePath(p: string): string {
  const abs = ('/' + p).replace(/\/+/g, '/');
  return abs.length > 1 ? abs.replace(/\/$/, '') : abs;
}

export function remoteJoin(dir: string, name: string): string {
  return remotePath(`${dir}/${name}`);
}

export function print(line: string): void {
  process.stdout.write(line + '\n');
}

export function note(line: string): void {
  process.stderr.write(line + '\n');
}
