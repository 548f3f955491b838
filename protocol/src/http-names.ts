/**
 * Names on the HTTP surface every client needs (the API's version, the CSRF header, the session
 * cookie): apart from openapi.ts, which imports every operation, so that importing a name does not
 * pull the whole document's schemas into a browser bundle.
 */
export const API_VERSION = '1';
export const CSRF_HEADER = 'X-Coffer-CSRF';
export const SESSION_COOKIE = 'coffer_session';

/**
 * `Prefer: return=minimal` (RFC 7240) on `POST /files/commit` and `/files/commit/batch`: answer each
 * committed file as a `CommitBrief` (what a sync client records) instead of the whole entry (issue
 * 21: ~250 bytes less a file). A server from before ignores the header and answers in full.
 */
export const PREFER_MINIMAL = 'return=minimal';

/** Does a `Prefer` header ask for `return=minimal`? (Preferences are comma-separated, case-insensitive, may carry parameters.) */
export function prefersMinimal(header: string | undefined): boolean {
  return !!header && header.split(',').some((p) => p.split(';')[0]!.trim().toLowerCase() === PREFER_MINIMAL);
}
