/**
 * TLS trust for a Coffer server: either a pinned certificate fingerprint (trust on first use,
 * as ssh and Syncthing do, for the self-signed certificate a server makes on first boot) or a CA
 * file (ordinary chain and hostname checks).
 *
 * Pinning is done in the agent's createConnection: the socket is handed to the HTTP request only
 * after the handshake finished and the peer certificate's SHA-256 matched, so not one byte of a
 * request (and so never the bearer token) is written to an unverified peer.
 */
import type { RequestOptions } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions } from 'node:https';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';

export type Trust = { fingerprint: string } | { ca: string } | { insecureHttp: true };

/** `AB:CD:…` upper-case, the form servers print and users compare; accepts any case, with or without colons. */
export function normalizeFingerprint(input: string): string {
  const hex = input.replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) throw new Error(`not a SHA-256 fingerprint: ${input}`);
  return hex.match(/.{2}/g)!.join(':');
}

export class CertificateMismatchError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `the server's certificate has CHANGED (expected ${expected}, got ${actual}); ` +
        'this may be an attack. If the server really has a new certificate, run `coffer login` again with --fingerprint',
    );
  }
}

/** An https agent that refuses any peer whose certificate is not the pinned one. */
export class PinnedAgent extends HttpsAgent {
  readonly #fingerprint: string;

  constructor(fingerprint: string, opts: AgentOptions = {}) {
    // No TLS session reuse: a resumed session would skip presenting the certificate we check.
    super({ ...opts, maxCachedSessions: 0 });
    this.#fingerprint = normalizeFingerprint(fingerprint);
  }

  // Node's Agent accepts an asynchronous createConnection (socket given to the callback).
  override createConnection(options: RequestOptions, callback?: (err: Error | null, socket: Duplex) => void): Duplex | undefined {
    const expected = this.#fingerprint;
    // The chain cannot verify (self-signed); the fingerprint comparison below replaces it.
    const socket = connect({ ...(options as ConnectionOptions), rejectUnauthorized: false, session: undefined });
    let settled = false;
    const settle = (err: Error | null) => {
      if (settled) return;
      settled = true;
      socket.off('error', settle);
      if (err) {
        socket.destroy();
        callback?.(err, socket);
      } else callback?.(null, socket);
    };
    socket.once('secureConnect', () => {
      const actual = socket.getPeerCertificate().fingerprint256 ?? '';
      settle(actual.toUpperCase() === expected ? null : new CertificateMismatchError(expected, actual));
    });
    // Errors before the hand-over are the request's; after it, http's own listeners take them.
    socket.on('error', settle);
    return undefined;
  }
}

export interface PeerCertificate {
  fingerprint: string;
  subject: string;
  issuer: string;
  validTo: string;
  selfSigned: boolean;
}

/** Connect, read the server's certificate and hang up, sending nothing (for first use). */
export function probeCertificate(url: URL, timeoutMs = 10_000): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({
      host: url.hostname,
      port: Number(url.port || 443),
      servername: isIp(url.hostname) ? undefined : url.hostname,
      rejectUnauthorized: false,
    });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no TLS answer from ${url.host} within ${timeoutMs / 1000} s`)));
    socket.once('secureConnect', () => {
      const c = socket.getPeerCertificate();
      socket.end();
      const name = (o: Record<string, unknown> | undefined) => (o ? Object.entries(o).map(([k, v]) => `${k}=${String(v)}`).join(', ') : '');
      resolve({
        fingerprint: normalizeFingerprint(c.fingerprint256),
        subject: name(c.subject as unknown as Record<string, unknown>),
        issuer: name(c.issuer as unknown as Record<string, unknown>),
        validTo: c.valid_to,
        selfSigned: String(socket.authorizationError) === 'DEPTH_ZERO_SELF_SIGNED_CERT',
      });
    });
    socket.once('error', reject);
  });
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

/** The agent for a trust setting (keep-alive: many block PUTs share a few connections). */
export function agentFor(trust: Trust): HttpsAgent | undefined {
  if ('fingerprint' in trust) return new PinnedAgent(trust.fingerprint, { keepAlive: true, maxSockets: 8 });
  if ('ca' in trust) return new HttpsAgent({ keepAlive: true, maxSockets: 8, ca: trust.ca });
  return undefined;
}
