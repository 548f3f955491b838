/**
 * `coffer login URL` and `coffer logout`. Trust first, then credentials: the certificate is
 * checked (pinned fingerprint, TOFU like ssh, or a CA file) before the password is sent.
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { CofferApi } from '../../api/client.js';
import { UsageError } from '../../api/errors.js';
import { normalizeFingerprint, probeCertificate, type Trust } from '../../api/pinned-agent.js';
import { configPath, loadConfig, removeConfig, saveConfig } from '../config.js';
import { note, parse, print, trustOf, trustView, useServer } from '../context.js';
import { jsonOutput, printJson } from '../output.js';
import { serverUrl } from '../server-url.js';
import { CliLogin } from '@coffer/protocol';
import { ask, interactive, readStdin } from '../prompt.js';

const USAGE = 'coffer login URL|HOST[:PORT] [--username U] [--password-stdin] [--code C] [--fingerprint XX:..|--yes|--ca FILE] [--device-name N] [--insecure-http]';

export async function login(args: string[]): Promise<void> {
  const { values: v, positionals } = parse(
    args,
    {
      username: { type: 'string', short: 'u' },
      'password-stdin': { type: 'boolean' },
      code: { type: 'string' },
      ca: { type: 'string' },
      fingerprint: { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
      'device-name': { type: 'string' },
      'insecure-http': { type: 'boolean' },
    },
    { min: 1, max: 1, usage: USAGE },
  );
  const url = serverUrl(positionals[0]!);
  if (url.protocol === 'http:' && !v['insecure-http']) {
    throw new UsageError('refusing plain http:// (the password and token would travel in clear); use https:// or --insecure-http');
  }
  if (v.ca && v.fingerprint) throw new UsageError('give --ca or --fingerprint, not both');
  const base = url.origin;
  useServer(base);

  const trust: Trust = url.protocol === 'http:' ? { insecureHttp: true } : await decideTrust(url, v.ca ? await readFile(v.ca, 'utf8') : undefined, v.fingerprint, v.yes === true);

  const username = v.username ?? (interactive() ? await ask('Username: ') : undefined);
  if (!username) throw new UsageError('give --username (no terminal to ask on)');
  let password: string | undefined;
  if (v['password-stdin']) password = await readStdin();
  else if (interactive()) password = await ask('Password: ', { hidden: true });
  if (!password) throw new UsageError('give the password on stdin with --password-stdin (no terminal to ask on)');

  const deviceName = v['device-name'] ?? hostname();
  const anon = new CofferApi(base, trust);
  let token: string;
  try {
    const first = await anon.login(username, password, deviceName);
    if ('token' in first) token = first.token;
    else {
      // Two-factor sign-in: the device token comes only after the second step (app passwords are
      // the single-factor credential for scripts).
      const code = v.code ?? (interactive() ? await ask('Authenticator code (or a recovery code): ') : undefined);
      if (!code) throw new UsageError('this account signs in with a second factor: give --code (no terminal to ask on)');
      token = (await anon.loginSecondStep(first.twoFactor.ticket, code)).token;
    }
  } finally {
    anon.close();
  }
  const api = new CofferApi(base, trust, token);
  try {
    const me = await api.me();
    const saved = {
      url: base,
      ...('insecureHttp' in trust ? { insecureHttp: true } : { ...(trust.fingerprint ? { fingerprint: trust.fingerprint } : {}), ...(trust.ca ? { ca: trust.ca } : {}) }),
      token,
      username: me.username,
      deviceId: me.deviceId,
      deviceName,
    };
    const path = await saveConfig(saved);
    if (jsonOutput()) return printJson(CliLogin, { url: base, username: me.username, deviceId: me.deviceId, deviceName, trust: trustView(saved), configPath: path });
    print(`Logged in to ${base} as ${me.username} (device "${deviceName}"); login saved in ${path}`);
  } finally {
    api.close();
  }
}

/**
 * How to trust the server: a certificate that validates (system CAs, or the --ca file) needs no
 * pin; one that does not is pinned — the fingerprint given (must match what the server shows),
 * the one pinned before for this server (a change is refused loudly), or a new one the user accepts.
 */
async function decideTrust(url: URL, ca: string | undefined, given: string | undefined, yes: boolean): Promise<Trust> {
  const cert = await probeCertificate(url, { ca });
  if (given !== undefined) {
    let want: string;
    try {
      want = normalizeFingerprint(given);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (want !== cert.fingerprint) {
      throw new Error(`the server's certificate fingerprint is ${cert.fingerprint}, not the ${want} given; refusing to connect`);
    }
    return cert.validates ? {} : { fingerprint: want };
  }
  if (cert.validates) return ca ? { ca } : {};
  if (ca) throw new Error(`the server's certificate (SHA-256 ${cert.fingerprint}) does not chain to the CA given with --ca, or is not for ${url.hostname}; refusing to connect`);
  const saved = await loadConfig().catch(() => undefined);
  if (saved?.url === url.origin && saved.fingerprint) {
    if (saved.fingerprint === cert.fingerprint) return { fingerprint: cert.fingerprint };
    throw new Error(
      `WARNING: the certificate of ${url.origin} has CHANGED since you logged in (was ${saved.fingerprint}, now ${cert.fingerprint}) and no trusted CA vouches for it. ` +
        'This could be an attack. If the change is expected, log in again with --fingerprint NEW',
    );
  }
  note(`The certificate of ${url.host} is not known yet (no trusted CA vouches for it).`);
  note(`  subject:     ${cert.subject}`);
  note(`  issuer:      ${cert.selfSigned ? '(self-signed)' : cert.issuer}`);
  note(`  valid until: ${cert.validTo}`);
  note(`  SHA-256:     ${cert.fingerprint}`);
  note('Compare it with the fingerprint the server printed when it started (its log), or ask its operator.');
  if (yes) return { fingerprint: cert.fingerprint };
  if (!interactive()) throw new UsageError('cannot confirm the certificate without a terminal: pass --fingerprint XX:.. (or --yes to trust it)');
  const answer = (await ask('Trust this certificate? [y/N] ')).trim().toLowerCase();
  if (answer !== 'y' && answer !== 'yes') throw new Error('certificate not trusted; nothing saved');
  return { fingerprint: cert.fingerprint };
}

export async function logout(args: string[]): Promise<void> {
  parse(args, {}, { min: 0, max: 0, usage: 'coffer logout' });
  const config = await loadConfig();
  if (!config) {
    print('Not logged in.');
    return;
  }
  useServer(config.url);
  const api = new CofferApi(config.url, trustOf(config), config.token);
  try {
    await api.logout();
  } catch (err) {
    // The local login goes anyway; the device can still be revoked from the web app.
    note(`coffer: warning: could not revoke the token on the server (${(err as Error).message}); removing the local login anyway`);
  } finally {
    api.close();
  }
  await removeConfig();
  print(`Logged out of ${config.url}; removed ${configPath()}`);
}
