/** What every command shares: argument parsing, the saved login, remote path rules, output. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CofferApi } from '../api/client.js';
import { UsageError } from '../api/errors.js';
import type { Trust } from '../api/pinned-agent.js';
import type { CliTrust } from '@coffer/protocol';
import { AuthError } from './failure.js';
import { loadConfig, saveConfig, type Config } from './config.js';
import { note } from './output.js';
import { useServer } from './server-in-use.js';

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

/** The saved trust: plain http, or TLS validated against the system's CAs (and a CA file), else a pin. */
export function trustOf(c: Pick<Config, 'fingerprint' | 'ca' | 'insecureHttp'>): Trust {
  if (c.insecureHttp) return { insecureHttp: true };
  return { ...(c.ca ? { ca: c.ca } : {}), ...(c.fingerprint ? { fingerprint: c.fingerprint } : {}) };
}

/** How the trust is shown (status, login, --json). */
export function trustView(c: Pick<Config, 'fingerprint' | 'ca' | 'insecureHttp'>): CliTrust {
  if (c.insecureHttp) return { kind: 'insecure-http' };
  if (c.fingerprint) return { kind: 'pinned', fingerprint: c.fingerprint };
  return { kind: c.ca ? 'ca' : 'system' };
}

export { useServer } from './server-in-use.js';

export interface Session {
  config: Config;
  api: CofferApi;
}

export async function openSession(): Promise<Session> {
  const config = await loadConfig((m) => process.stderr.write(`coffer: warning: ${m}\n`));
  if (!config) throw new AuthError('not logged in; run `coffer login URL` first');
  useServer(config.url);
  const trust = trustOf(config);
  if (!('insecureHttp' in trust) && trust.fingerprint) {
    // The pinned certificate was replaced by one a CA vouches for: no pin is needed any more.
    trust.onValidated = (was, now) => {
      note(`coffer: notice: ${config.url} now presents a certificate that validates (SHA-256 ${now}); the pinned ${was} is no longer needed and was removed`);
      const { fingerprint: _dropped, ...rest } = config;
      void saveConfig(rest).catch((err: Error) => note(`coffer: warning: could not save the login (${err.message})`));
    };
  }
  return { config, api: new CofferApi(config.url, trust, config.token) };
}

/** Remote paths are absolute and `/`-separated; `foo/bar` means `/foo/bar`, trailing slashes go. */
export function remotePath(p: string): string {
  const abs = ('/' + p).replace(/\/+/g, '/');
  return abs.length > 1 ? abs.replace(/\/$/, '') : abs;
}

export function remoteJoin(dir: string, name: string): string {
  return remotePath(`${dir}/${name}`);
}

export { note, print } from './output.js';
