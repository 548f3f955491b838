/**
 * Names on the HTTP surface every client needs (the API's version, the CSRF header, the session
 * cookie): apart from openapi.ts, which imports every operation, so that importing a name does not
 * pull the whole document's schemas into a browser bundle.
 */
export const API_VERSION = '1';
export const CSRF_HEADER = 'X-Coffer-CSRF';
export const SESSION_COOKIE = 'coffer_session';
