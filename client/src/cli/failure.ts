/**
 * Every failure of a command becomes one or two lines saying what happened and what to do, and
 * an exit code: 1 error, 2 usage, 3 conflict, 4 not signed in (0, 130 and 143 are main's and the
 * signal handlers'). The one place network errors, TLS errors and the server's error codes are
 * put into words.
 */
import { ApiError, UsageError } from '../api/errors.js';
import { CertificateMismatchError, speaksTls } from '../api/pinned-agent.js';

import { EXIT } from './exit-codes.js';

export { EXIT };

/** A local refusal because something is in the way (a remote file exists, say): exit 3. */
export class ConflictError extends Error {}

/** Not signed in, or the sign-in is no longer valid: exit 4. */
export class AuthError extends Error {}

/**
 * Some files of a folder upload failed, each reported on its own line already, the rest done:
 * the exit code the failures share (3 when all were conflicts), else 1.
 */
export class PartialFailure extends Error {
  readonly code: number;
  constructor(failed: number, of: number, codes: readonly number[]) {
    super(`${failed} of ${of} ${of === 1 ? 'entry' : 'entries'} not uploaded (each said above)`);
    this.code = codes.length > 0 && codes.every((c) => c === codes[0]) ? codes[0]! : EXIT.error;
  }
}

export interface Failure {
  message: string;
  code: number;
}

/** What the server's codes mean for the person at the terminal (the server's own message otherwise). */
const SENTENCES: Partial<Record<string, string>> = {
  invalid_credentials: 'wrong username or password',
  account_disabled: 'this account is disabled; ask the server’s administrator',
  password_change_required: 'this account must change its password first: sign in to the web app once',
  two_factor_enrolment_required: 'the administrator requires two-factor sign-in: set it up in the web app first',
  password_login_disabled: 'this server signs people in through single sign-on only: make an app password in the web app and log in with it',
  app_password_not_allowed: 'an app password cannot do this: sign in with your password',
  invalid_code: 'the two-factor code is wrong, expired, or was used already',
  name_taken: 'an entry of that name exists already',
  exists: 'a file of that name exists: add --overwrite to replace it',
  stale_revision: 'the file changed on the server meanwhile (it is no longer at the revision given)',
  parent_not_found: 'a folder on the way does not exist (mkdir -p makes it)',
  parent_not_folder: 'an entry on the way is a file, not a folder',
  not_a_folder: 'that is a file, not a folder',
  is_folder: 'that is a folder (use -r for folders)',
  into_itself: 'a folder cannot go into itself',
  root: 'the root folder cannot be changed this way',
  read_only_share: 'this share is view-only for you',
  share_boundary: 'entries cannot move into or out of a shared folder: copy them, then delete the original',
  quota_exceeded: 'over quota: free some space (empty the trash) or ask for more',
  file_too_large: 'the file is larger than the server takes (10 GiB)',
  too_many_requests: 'the server is rate-limiting this client: try again in a minute',
  unavailable: 'the server’s storage cannot serve right now: try again shortly',
  insufficient_storage: 'the server is out of room',
  internal: 'the server failed (an internal error): try again, and tell its administrator if it persists',
  no_revision: 'the file has no such revision (coffer revs PATH lists them)',
  not_ready: 'the file has no content yet (its upload has not finished)',
  link_policy: 'the server’s link policy refuses this link (public links off, a password required, or an expiry too far)',
  already_shared: 'it is already shared with them: change the role with coffer shares role',
};

const TLS_SENTENCES: Partial<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server’s certificate is self-signed and not the one pinned',
  SELF_SIGNED_CERT_IN_CHAIN: 'the server’s certificate chains to a CA this computer does not trust (give it with --ca FILE)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server’s certificate does not chain to a trusted CA (give the CA with --ca FILE)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the server’s certificate does not chain to a trusted CA (give the CA with --ca FILE)',
  CERT_HAS_EXPIRED: 'the server’s certificate has expired: tell its administrator',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the server’s certificate is not for this host name (check the URL)',
};

/** The failure of `err`, for the server at `server` (when the command knows one). */
export async function describeFailure(err: unknown, server: string | undefined): Promise<Failure> {
  if (err instanceof UsageError) return { message: err.message, code: EXIT.usage };
  if (err instanceof ConflictError) return { message: err.message, code: EXIT.conflict };
  if (err instanceof AuthError) return { message: err.message, code: EXIT.auth };
  if (err instanceof PartialFailure) return { message: err.message, code: err.code };
  if (err instanceof CertificateMismatchError) return { message: err.message, code: EXIT.error };
  if (err instanceof ApiError) return apiFailure(err, server);
  const e = err as NodeJS.ErrnoException & { hostname?: string; address?: string; port?: number };
  const where = server ? new URL(server).host : e.hostname ?? e.address ?? 'the server';
  const first = (e?.message ?? String(err)).split('\n')[0]!;
  switch (e?.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { message: `cannot find the server "${e.hostname ?? where}": the name does not resolve (DNS); check the URL`, code: EXIT.error };
    case 'ECONNREFUSED':
      return { message: `cannot connect to ${where}: connection refused (is the server running, and is the port right?)`, code: EXIT.error };
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { message: `cannot reach ${where} (${e.code}): check the network and the address`, code: EXIT.error };
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
      return { message: `${where} does not speak HTTPS on this port (it looks like plain HTTP): check the port, or use http:// with --insecure-http`, code: EXIT.error };
    case 'ECONNRESET':
      if (server?.startsWith('http:') && (await speaksTls(new URL(server)))) {
        return { message: `${where} speaks HTTPS, not plain HTTP: use https://${where}`, code: EXIT.error };
      }
      return { message: `the connection to ${where} was cut (${first})`, code: EXIT.error };
    case 'ENOENT':
      if (e.path) return { message: `${e.path}: no such file or directory`, code: EXIT.error };
  }
  const tls = e?.code ? TLS_SENTENCES[e.code] : undefined;
  if (tls) return { message: `${tls} (${where})`, code: EXIT.error };
  return { message: first, code: EXIT.error };
}

function apiFailure(err: ApiError, server: string | undefined): Failure {
  if (err.status === 401 && err.code !== 'invalid_credentials' && err.code !== 'invalid_code') {
    return { message: `your sign-in is no longer valid (the token expired or was revoked): run \`coffer login ${server ?? 'URL'}\``, code: EXIT.auth };
  }
  const sentence = SENTENCES[err.code] ?? err.message;
  const code = err.status === 409 || err.status === 412 ? EXIT.conflict : err.status === 401 ? EXIT.auth : EXIT.error;
  return { message: sentence, code };
}
