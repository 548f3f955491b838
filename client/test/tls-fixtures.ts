/**
 * TLS for tests: a test CA and certificates it issues (node-forge), self-signed certificates, and
 * a TLS-terminating proxy in front of a plain-HTTP server whose certificate can be swapped while
 * it runs (as a reverse proxy renewing its certificate does).
 */
import { generateKeyPairSync } from 'node:crypto';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import { get } from 'node:https';
import forge from 'node-forge';
import { TrustingAgent } from '../src/api/pinned-agent.js';

export interface KeyCert {
  key: string;
  cert: string;
}

let serial = 10;

function keyPair(): { keyPem: string; publicKey: forge.pki.PublicKey } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string),
  };
}

function certificate(publicKey: forge.pki.PublicKey, subject: string, issuer: string, extensions: object[]): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = (serial++).toString(16).padStart(2, '0');
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600 * 1000);
  cert.setSubject([{ name: 'commonName', value: subject }]);
  cert.setIssuer([{ name: 'commonName', value: issuer }]);
  cert.setExtensions(extensions);
  return cert;
}

/** Names a server certificate is for: 127.0.0.1 and localhost. */
const SERVER_NAMES = { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] };

/** A certificate that signs itself (what a Coffer server makes on first boot; the CLI pins these). */
export function selfSigned(name = 'coffer'): KeyCert {
  const { keyPem, publicKey } = keyPair();
  const cert = certificate(publicKey, name, name, [SERVER_NAMES]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { key: keyPem, cert: forge.pki.certificateToPem(cert) };
}

/** A test CA; `issue()` makes server certificates for 127.0.0.1/localhost that chain to it. */
export function testCa(name = 'Coffer Test CA'): KeyCert & { issue(): KeyCert } {
  const ca = keyPair();
  const caCert = certificate(ca.publicKey, name, name, [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  caCert.sign(caKey, forge.md.sha256.create());
  return {
    key: ca.keyPem,
    cert: forge.pki.certificateToPem(caCert),
    issue() {
      const leaf = keyPair();
      const cert = certificate(leaf.publicKey, 'coffer.test', name, [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        SERVER_NAMES,
      ]);
      cert.sign(caKey, forge.md.sha256.create());
      return { key: leaf.keyPem, cert: forge.pki.certificateToPem(cert) };
    },
  };
}

export interface TlsProxy {
  /** `https://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** Serve another certificate from now on (new connections). */
  swap(kc: KeyCert): void;
  /** Bytes clients sent after the handshake (a refused client sends none). */
  bytesFromClients(): number;
  close(): Promise<void>;
}

/** TLS on 127.0.0.1, each connection piped to the plain-HTTP server at `target`. */
export async function tlsProxy(target: URL, kc: KeyCert): Promise<TlsProxy> {
  let bytes = 0;
  const sockets = new Set<TLSSocket>();
  const server: Server = createServer({ key: kc.key, cert: kc.cert }, (client) => {
    sockets.add(client);
    const upstream = netConnect(Number(target.port), target.hostname);
    client.on('data', (d: Buffer) => (bytes += d.length));
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    swap: (next) => server.setSecureContext({ key: next.key, cert: next.cert }),
    bytesFromClients: () => bytes,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** One request on a new agent pinning `pin` (its own connection): the body, or the connection's refusal. */
export function fetchPinned(url: string, pin: string): Promise<string> {
  const agent = new TrustingAgent({ fingerprint: pin });
  return new Promise<string>((resolve, reject) => {
    get(url, { agent }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  }).finally(() => agent.destroy());
}
