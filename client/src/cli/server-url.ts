/**
 * The forms a server address is accepted in: `https://host[:port]`, `http://…` (with
 * --insecure-http), or just `host[:port]`, which means https (as browsers and gh do).
 */
import { UsageError } from '../api/errors.js';

export function serverUrl(input: string): URL {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? input : `https://${input}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`not a server address: ${input} (give host, host:port or https://host:port)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`the address must be https:// (got ${url.protocol}//)`);
  if (url.pathname !== '/' || url.search) throw new UsageError(`give the server's address without a path: ${url.origin}`);
  return url;
}
