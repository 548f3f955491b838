/**
 * TLS trust for a Coffer server, as browsers and ssh together would have it:
 * - a certificate that validates (the system's CAs, plus a `--ca` file) gets the ordinary chain
 *   and hostname checks and is never pinned, so a reverse proxy's renewed Let's Encrypt
 *   certificate just works;
 * - a certificate that does not validate (the self-signed one a server makes on first boot) is
 *   trusted only by its pinned SHA-256 fingerprint (trust on first use); a change is refused;
 * - a pinned certificate replaced by one that validates is accepted, with a notice (`onValidated`
 *   lets the caller drop the pin).
 *
 * The decision is made in the agent's createConnection: the socket is handed to the HTTP request
 * only after the handshake finished and the certificate was accepted, so not one byte of a
 * request (and so never the bearer token) is written to an unverified peer.
 *
 * A later connection to the same server under the same trust resumes the TLS session of one
 * whose certificate was accepted (kept for the process, `sessions` below): the server then sends
 * no certificate (~600 bytes of the ~3.5 KB handshake) and signs nothing, and there is nothing
 * to check — only the server that holds that session's secret can finish such a handshake, and
 * the session exists only because its certificate passed these rules. A server that no longer
 * takes it answers with a full handshake, checked as any other.
 */
import { createHash } from 'node:crypto';
import type { RequestOptions } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions } from 'node:https';
import { checkServerIdentity, connect, createSecureContext, rootCertificates, type ConnectionOptions, type PeerCertificate as TlsPeerCertificate, type TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';

export interface TlsTrust {
  /** A PEM CA (bundle) trusted besides the system's. */
  ca?: string;
  /** The pinned SHA-256 of a certificate that does not validate. */
  fingerprint?: string;
  /** A pinned server now presents a certificate that validates: called once per agent. */
  onValidated?: (was: string, now: string) => void;
}
export type Trust = TlsTrust | { insecureHttp: true };

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
      `the server's certificate has CHANGED (expected ${expected}, got ${actual}) and no trusted CA vouches for the new one; ` +
        'this may be an attack. If the server really has a new certificate, run `coffer login` again with --fingerprint',
    );
  }
}

/** A certificate that neither validates nor is pinned. */
export class UntrustedCertificateError extends Error {
  constructor(
    readonly reason: string,
    readonly fingerprint: string,
  ) {
    super(`the server's certificate is not trusted (${reason}, SHA-256 ${fingerprint}); run \`coffer login URL\` to check and pin it, or give its CA with --ca FILE`);
    this.name = 'UntrustedCertificateError';
  }
}

/** The CA list for a connection: the system's plus the given file (Node's `ca` replaces, not adds). */
export function caList(ca: string | undefined): string[] | undefined {
  return ca ? [...rootCertificates, ca] : undefined;
}

/** Does the certificate validate for this host name (chain already checked by `authorized`)? */
export function validatesFor(socket: TLSSocket, host: string): boolean {
  if (!socket.authorized) return false;
  return checkServerIdentity(host, socket.getPeerCertificate() as TlsPeerCertificate) === undefined;
}

/**
 * What the agent offers in its ClientHello, and nothing it would never want: key shares for the
 * post-quantum hybrid X25519MLKEM768 only (OpenSSL sends a share for the first group of a plain
 * list; a server without it asks again for X25519 or P-256 — one more round trip, there alone),
 * and TLS 1.2 suites with ECDHE and AEAD only (no CBC, no plain DHE), as Mozilla's "intermediate"
 * servers offer. ~130 bytes less per connection than Node's defaults (issue 21 counts them): a
 * second, classic X25519 share and some thirty legacy suites. Kept to what every TLS server of the
 * last decade speaks; Node builds whose OpenSSL lacks ML-KEM get the classic groups.
 */
export function clientTls(): Pick<ConnectionOptions, 'ecdhCurve' | 'ciphers'> {
  // Decided at the first connection, not at import: the probe makes a TLS context (~3 ms), which a
  // command that never connects over TLS should not pay.
  tlsOptions ??= {
    ecdhCurve: hasMlKem() ? 'X25519MLKEM768:X25519:P-256:P-384' : 'X25519:P-256:P-384',
    ciphers: [
      'TLS_AES_128_GCM_SHA256',
      'TLS_AES_256_GCM_SHA384',
      'TLS_CHACHA20_POLY1305_SHA256',
      'ECDHE-ECDSA-AES128-GCM-SHA256',
      'ECDHE-RSA-AES128-GCM-SHA256',
      'ECDHE-ECDSA-AES256-GCM-SHA384',
      'ECDHE-RSA-AES256-GCM-SHA384',
      'ECDHE-ECDSA-CHACHA20-POLY1305',
      'ECDHE-RSA-CHACHA20-POLY1305',
    ].join(':'),
  };
  return tlsOptions;
}
let tlsOptions: Pick<ConnectionOptions, 'ecdhCurve' | 'ciphers'> | undefined;

function hasMlKem(): boolean {
  try {
    createSecureContext({ ecdhCurve: 'X25519MLKEM768' });
    return true;
  } catch {
    return false;
  }
}

/** TLS sessions of accepted connections, by server and trust (sessionKey): what a later connection resumes. */
const sessions = new Map<string, Buffer>();
/** Servers × trusts one process talks to: a few. Past this the oldest goes. */
const MAX_SESSIONS = 32;
/**
 * When a server last answered an offered session with a full handshake: it is not offered one
 * again for a while. An offer is ~100 bytes of ClientHello, and some servers never resume
 * (Coffer's own listener, boot/listen.ts); one that dropped its sessions (a restart) is tried again later.
 */
const declined = new Map<string, number>();
const RETRY_OFFERS_MS = 10 * 60_000;

function sessionKey(o: ConnectionOptions & RequestOptions, trust: TlsTrust): string {
  const ca = trust.ca ? createHash('sha256').update(trust.ca).digest('hex') : '';
  return JSON.stringify([o.host ?? o.hostname ?? '', o.port ?? '', o.servername ?? '', trust.fingerprint ?? '', ca]);
}

/** Set `key` as the newest entry of `map`, the oldest going past MAX_SESSIONS. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_SESSIONS) map.delete(map.keys().next().value!);
}

/** An https agent applying the trust rules of this file's header. */
export class TrustingAgent extends HttpsAgent {
  readonly #trust: TlsTrust;
  #noticed = false;

  constructor(trust: TlsTrust, opts: AgentOptions = {}) {
    // Node's own session cache is off: it would resume without the rules below (ours, `sessions`, keeps only accepted ones).
    super({ ...opts, maxCachedSessions: 0 });
    this.#trust = { ...trust, fingerprint: trust.fingerprint ? normalizeFingerprint(trust.fingerprint) : undefined };
  }

  // Node's Agent accepts an asynchronous createConnection (socket given to the callback).
  override createConnection(options: RequestOptions, callback?: (err: Error | null, socket: Duplex) => void): Duplex | undefined {
    const { fingerprint: pinned, ca } = this.#trust;
    const o = options as ConnectionOptions & RequestOptions;
    const host = o.servername || o.hostname || o.host || 'localhost';
    const key = sessionKey(o, this.#trust);
    const lastDeclined = declined.get(key);
    const offered = lastDeclined !== undefined && Date.now() - lastDeclined < RETRY_OFFERS_MS ? undefined : sessions.get(key);
    // The chain is checked below, not by connect: a pinned self-signed certificate cannot pass it.
    const socket = connect({ ...(options as ConnectionOptions), ...clientTls(), ca: caList(ca), rejectUnauthorized: false, session: offered });
    let settled = false;
    let accepted = false;
    let early: Buffer | undefined; // a session told before the certificate was accepted (TLS 1.2)
    socket.on('session', (session: Buffer) => {
      if (accepted) remember(sessions, key, session);
      else early = session;
    });
    const settle = (err: Error | null) => {
      if (settled) return;
      settled = true;
      socket.off('error', settle);
      if (err) {
        sessions.delete(key);
        socket.destroy();
        callback?.(err, socket);
      } else {
        accepted = true;
        if (early) remember(sessions, key, early);
        callback?.(null, socket);
      }
    };
    socket.once('secureConnect', () => {
      // Resumed: no certificate came, and none is needed (this file's header).
      if (offered && socket.isSessionReused()) return settle(null);
      if (offered) remember(declined, key, Date.now());
      const actual = (socket.getPeerCertificate().fingerprint256 ?? '').toUpperCase();
      if (validatesFor(socket, host)) {
        if (pinned && pinned !== actual && !this.#noticed) {
          this.#noticed = true;
          this.#trust.onValidated?.(pinned, actual);
        }
        return settle(null);
      }
      if (pinned) return settle(pinned === actual ? null : new CertificateMismatchError(pinned, actual));
      settle(new UntrustedCertificateError(String(socket.authorizationError ?? 'the host name does not match'), actual));
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
  /** It validates against the system's CAs (or the CA given) for this host name: nothing to pin. */
  validates: boolean;
}

/** Connect, read the server's certificate and hang up, sending nothing (for first use). */
export function probeCertificate(url: URL, opts: { ca?: string; timeoutMs?: number } = {}): Promise<PeerCertificate> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({
      host: url.hostname,
      port: Number(url.port || 443),
      servername: isIp(url.hostname) ? undefined : url.hostname,
      ...clientTls(),
      ca: caList(opts.ca),
      rejectUnauthorized: false,
    });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no TLS answer from ${url.host} within ${timeoutMs / 1000} s`)));
    socket.once('secureConnect', () => {
      const c = socket.getPeerCertificate();
      const validates = validatesFor(socket, url.hostname.replace(/^\[|\]$/g, ''));
      socket.end();
      const name = (o: Record<string, unknown> | undefined) => (o ? Object.entries(o).map(([k, v]) => `${k}=${String(v)}`).join(', ') : '');
      resolve({
        fingerprint: normalizeFingerprint(c.fingerprint256),
        subject: name(c.subject as unknown as Record<string, unknown>),
        issuer: name(c.issuer as unknown as Record<string, unknown>),
        validTo: c.valid_to,
        selfSigned: String(socket.authorizationError) === 'DEPTH_ZERO_SELF_SIGNED_CERT',
        validates,
      });
    });
    socket.once('error', reject);
  });
}

/** Does something at this URL's host and port answer a TLS handshake (to explain a plain-HTTP failure)? */
export function speaksTls(url: URL, timeoutMs = 3000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 80), rejectUnauthorized: false });
    socket.setTimeout(timeoutMs, () => socket.destroy());
    socket.once('secureConnect', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

/** The agent for a trust setting (keep-alive: many block PUTs share a few connections). */
export function agentFor(trust: Trust): HttpsAgent | undefined {
  if ('insecureHttp' in trust) return undefined;
  return new TrustingAgent(trust, { keepAlive: true, maxSockets: 8 });
}
