import { createHash } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** SHA-256 fingerprint of the certificate (DER), as clients pin it on first use. */
  fingerprint: string;
}

/**
 * The certificate the server presents: the operator's, or a self-signed one generated on first
 * boot and kept in the data directory (so its fingerprint stays stable across restarts). Made
 * ECDSA P-256 (tls-self-signed.ts); one made RSA by an older version is kept as it is.
 */
export async function loadTls(dataDir: string, given: { cert?: string; key?: string }): Promise<TlsMaterial> {
  if (given.cert && given.key) {
    const cert = await readFile(given.cert, 'utf8');
    return { cert, key: await readFile(given.key, 'utf8'), fingerprint: fingerprintOf(cert) };
  }
  const dir = join(dataDir, 'tls');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  try {
    const cert = await readFile(certPath, 'utf8');
    return { cert, key: await readFile(keyPath, 'utf8'), fingerprint: fingerprintOf(cert) };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const made = await selfSigned();
  await writeNew(keyPath, made.key, 0o600);
  await writeNew(certPath, made.cert, 0o644);
  return { ...made, fingerprint: fingerprintOf(made.cert) };
}

/** node-forge (~40 modules) is loaded only here, on the one boot that makes the certificate. */
async function selfSigned(): Promise<{ cert: string; key: string }> {
  const { selfSignedP256 } = await import('./tls-self-signed.js');
  const attrs = [{ name: 'commonName', value: 'coffer' }, { name: 'organizationName', value: 'Coffer (self-signed)' }];
  return selfSignedP256({
    attrs,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      // An ECDSA key signs the handshake; it never enciphers a key (that is RSA key transport).
      { name: 'keyUsage', digitalSignature: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
    ],
  });
}

export function fingerprintOf(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return createHash('sha256').update(der).digest('hex').toUpperCase().match(/.{2}/g)!.join(':');
}

async function writeNew(path: string, text: string, mode: number): Promise<void> {
  const fh = await open(path, 'w', mode);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
}
