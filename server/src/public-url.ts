/**
 * The absolute URLs the server emits (a resumable session's `Location`) start with
 * COFFER_PUBLIC_URL when it is set. Without it the request's `Host` is used only when it names
 * one of this server's own addresses (localhost, the listen host, the machine's interface
 * addresses or name) at the port the request came in on: `Host` is whatever the client wrote,
 * and a URL built from a hostile one would send the client (or a cache, or a victim's browser)
 * elsewhere with its upload. Any other `Host` gets the address and port the connection reached,
 * which names this server for certain.
 */
import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
import type { Socket } from 'node:net';
import type { Context } from 'hono';
import type { Config } from './config.js';

type UrlConfig = Pick<Config, 'publicUrl' | 'host' | 'port'>;

/** The host (and port) of COFFER_PUBLIC_URL, lowercase: an Origin naming it is this site's own. */
export function publicHost(config: Pick<Config, 'publicUrl'>): string | undefined {
  return config.publicUrl ? new URL(config.publicUrl).host.toLowerCase() : undefined;
}

/** `path` (starting with '/') as an absolute URL clients can follow. */
export function absoluteUrl(c: Context, config: UrlConfig, path: string): string {
  return `${baseUrl(c, config)}${path}`;
}

function baseUrl(c: Context, config: UrlConfig): string {
  if (config.publicUrl) return config.publicUrl;
  const socket = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket as (Socket & { encrypted?: boolean }) | undefined;
  const scheme = socket ? (socket.encrypted ? 'https' : 'http') : new URL(c.req.url).protocol.slice(0, -1);
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  const local = { address: unmapped(socket?.localAddress ?? (wildcard ? 'localhost' : config.host)), port: socket?.localPort ?? config.port };
  const host = parseHost(c.req.header('host'), scheme);
  if (host && host.port === local.port && ownNames(config.host).has(host.name)) return `${scheme}://${host.raw}`;
  return `${scheme}://${bracketed(local.address)}:${local.port}`;
}

/** A Host header as name and port; undefined unless it is exactly `name[:port]` or `[v6][:port]`. */
function parseHost(raw: string | undefined, scheme: string): { raw: string; name: string; port: number } | undefined {
  const m = raw === undefined ? null : /^(?:\[([0-9a-f:.]+)\]|([a-z0-9.-]+))(?::(\d{1,5}))?$/i.exec(raw.trim());
  if (!m) return undefined;
  const port = m[3] !== undefined ? Number(m[3]) : scheme === 'https' ? 443 : 80;
  return { raw: raw!.trim(), name: (m[1] ?? m[2]!).toLowerCase().replace(/\.$/, ''), port };
}

/** Names this machine answers to (looked up per call: interface addresses come and go). */
function ownNames(listenHost: string): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '::1', hostname().toLowerCase()]);
  names.add(listenHost.toLowerCase());
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.add(a.address.toLowerCase().split('%')[0]!);
  return names;
}

function unmapped(address: string): string {
  return address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1');
}

function bracketed(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
