/**
 * The identity provider as openid-client sees it: its discovery document (issuer metadata,
 * endpoints, signing keys) fetched once, on the first sign-in rather than at boot, so a provider
 * that is down when Coffer starts costs only SSO until it is back (a failed discovery is retried
 * by the next sign-in).
 */
import * as oidc from 'openid-client';
import { ServiceUnavailableError } from '../../http-errors.js';
import type { OidcConfig } from './config.js';

/** Seconds openid-client waits for the provider on each request. */
const PROVIDER_TIMEOUT_S = 10;

export class OidcProvider {
  private discovered?: Promise<oidc.Configuration>;

  constructor(readonly settings: OidcConfig) {}

  async configuration(): Promise<oidc.Configuration> {
    this.discovered ??= this.discover();
    try {
      return await this.discovered;
    } catch (err) {
      this.discovered = undefined;
      throw new ServiceUnavailableError('the identity provider cannot be reached; try again shortly', { cause: err, retryAfter: 10 });
    }
  }

  private discover(): Promise<oidc.Configuration> {
    const s = this.settings;
    // RFC 6749 §2.3.1: every provider must take client_secret_basic (Authelia's default); without a secret, PKCE alone.
    const auth = s.clientSecret ? oidc.ClientSecretBasic(s.clientSecret) : oidc.None();
    // Plain http only for a loopback issuer (config.ts refuses any other).
    const insecure = new URL(s.issuer).protocol === 'http:';
    // ID tokens' signatures are checked against the provider's published keys too, although TLS to the
    // token endpoint would do (OIDC Core §3.1.3.7): a loopback provider may speak plain http, and a
    // checked signature costs one cached key-set fetch.
    const execute = insecure ? [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks] : [oidc.enableNonRepudiationChecks];
    return oidc.discovery(new URL(s.issuer), s.clientId, undefined, auth, { timeout: PROVIDER_TIMEOUT_S, execute });
  }
}
