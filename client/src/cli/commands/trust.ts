/**
 * `coffer trust` (the certificates pinned on first use) and `coffer trust reset [URL]` (forget a
 * pin: the next `coffer login` shows the server's certificate again). Only certificates that do
 * not validate against a CA are pinned (api/pinned-agent.ts).
 */
import { CliPins } from '@coffer/protocol';
import { UsageError } from '../../api/errors.js';
import { loadConfig, saveConfig } from '../config.js';
import { jsonOutput, printJson } from '../output.js';
import { parse, print } from '../context.js';
import { serverUrl } from '../server-url.js';

export async function trust(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === 'list') return list();
  if (sub === 'reset') return reset(rest);
  throw new UsageError('usage: coffer trust [--json] | reset [URL]');
}

async function list(): Promise<void> {
  const config = await loadConfig();
  const pins = config?.fingerprint ? [{ url: config.url, fingerprint: config.fingerprint }] : [];
  if (jsonOutput()) return printJson(CliPins, { pins });
  if (!pins.length) print(config ? `Nothing pinned: ${config.url} is trusted through ${config.insecureHttp ? 'plain http (insecure)' : config.ca ? 'its CA file' : "the system's CAs"}.` : 'Nothing pinned (not logged in).');
  for (const p of pins) print(`${p.url}  SHA-256 ${p.fingerprint}`);
}

async function reset(args: string[]): Promise<void> {
  const { positionals } = parse(args, {}, { min: 0, max: 1, usage: 'coffer trust reset [URL]' });
  const config = await loadConfig();
  const url = positionals[0];
  if (!config?.fingerprint || (url !== undefined && serverUrl(url).origin !== config.url)) {
    print(`Nothing pinned${url ? ` for ${url}` : ''}.`);
    return;
  }
  const { fingerprint, ...rest } = config;
  await saveConfig(rest);
  print(`Forgot the certificate pinned for ${config.url} (SHA-256 ${fingerprint}); run \`coffer login ${config.url}\` to check and pin its certificate again.`);
}
