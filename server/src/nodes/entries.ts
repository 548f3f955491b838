/**
 * Storage node entries of the configuration: `COFFER_NODES=name=URL,name=URL,…` (and
 * `COFFER_COLD_NODES`). A node's name is its identity for good — shard rows store it — so the
 * operator chooses it; a list of plain URLs is still read (each named by its position, `s3-0`,
 * `cold-0`, …, as before names existed), and boot refuses it where positions could have shifted.
 * Nothing here ever puts a URL in a message: URLs carry credentials.
 */
import type { Tier } from '../../../storage-engine/src/index.js';

export const NODE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
export const NODE_NAME_RULE = 'lowercase letters, digits and inner hyphens, 1 to 40 characters';
/** The embedded local-directory nodes are local-0, local-1, local-2: no other node may take such a name. */
export const LOCAL_PREFIX = 'local-';

export interface NodeEntry {
  name: string;
  /** The whole URL, credentials included: never logged nor answered. */
  url: string;
  tier: Tier;
  /** False for a plain URL, named by its position in the list. */
  named: boolean;
}

const SETTING: Record<Tier, string> = { hot: 'COFFER_NODES', cold: 'COFFER_COLD_NODES' };
const POSITIONAL: Record<Tier, string> = { hot: 's3-', cold: 'cold-' };

/** Why `name` cannot name a node, or undefined when it can. */
export function nodeNameProblem(name: string): string | undefined {
  if (!NODE_NAME.test(name)) return `a node name is ${NODE_NAME_RULE}`;
  if (name.startsWith(LOCAL_PREFIX)) return `names starting with "${LOCAL_PREFIX}" belong to the embedded local-directory nodes`;
  return undefined;
}

/** Why `url` is not an S3 node URL, or undefined when it is; the reason never quotes the URL. */
export function nodeUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a URL (expected http://KEY:SECRET@host:port/bucket)';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'an S3 node URL is http:// or https://';
  if (!u.pathname.split('/').some((s) => s !== '')) return 'the URL names no bucket (expected http://KEY:SECRET@host:port/bucket)';
  for (const [option, [min, max]] of Object.entries(URL_OPTIONS)) {
    const v = u.searchParams.get(option);
    if (v !== null && !(/^\d+$/.test(v) && Number(v) >= min && Number(v) <= max)) return `${option} is a whole number from ${min} to ${max}`;
  }
  return undefined;
}

/** The driver's options a node URL may carry (S3Node.fromUrl), bounded so no call can hang for long. */
const URL_OPTIONS: Record<string, [number, number]> = { timeoutMs: [100, 600_000], deadlineMs: [100, 3_600_000], retries: [0, 10] };

/** Where a node is, without credentials or options: `http://host:port/bucket[/prefix]`. Two URLs
 *  with one endpoint are one node (new credentials or timeouts do not make another). */
export function endpointOf(url: string): string {
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const path = u.pathname.split('/').filter((s) => s !== '').join('/');
  return `${u.protocol}//${u.hostname.toLowerCase()}:${port}/${path}`;
}

/** One setting's entries; throws an Error naming the setting and entry (never the URL) when one is wrong. */
export function parseNodeList(value: string | undefined, tier: Tier): NodeEntry[] {
  const setting = SETTING[tier];
  const items = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const entries = items.map((item, i): NodeEntry => {
    // A name holds no ':', '/' or '@'; a plain URL has all before any '=' (of its query).
    const m = /^([^=:/@]+)=(.*)$/.exec(item);
    const where = `${setting} entry ${i + 1}`;
    if (m) {
      const name = m[1]!.trim();
      const why = nodeNameProblem(name);
      if (why) throw new Error(`${where}: "${name}" cannot name a node (${why})`);
      const urlWhy = nodeUrlProblem(m[2]!.trim());
      if (urlWhy) throw new Error(`${where} (${name}): ${urlWhy}`);
      return { name, url: m[2]!.trim(), tier, named: true };
    }
    const urlWhy = nodeUrlProblem(item);
    if (urlWhy) throw new Error(`${where}: ${urlWhy}; entries are name=URL`);
    return { name: `${POSITIONAL[tier]}${i}`, url: item, tier, named: false };
  });
  if (entries.some((e) => e.named) && entries.some((e) => !e.named)) {
    throw new Error(`${setting} mixes name=URL entries with plain URLs: give every entry a name`);
  }
  return entries;
}

/** Both tiers' entries, checked together: a name, or a place, belongs to one node only. */
export function parseNodeLists(hot: string | undefined, cold: string | undefined): NodeEntry[] {
  const entries = [...parseNodeList(hot, 'hot'), ...parseNodeList(cold, 'cold')];
  const names = new Set<string>();
  const endpoints = new Map<string, string>();
  for (const e of entries) {
    if (names.has(e.name)) throw new Error(`the node name "${e.name}" appears twice in COFFER_NODES / COFFER_COLD_NODES`);
    names.add(e.name);
    const ep = endpointOf(e.url);
    const other = endpoints.get(ep);
    if (other) throw new Error(`nodes "${other}" and "${e.name}" have the same endpoint (${ep}): one bucket is one node`);
    endpoints.set(ep, e.name);
  }
  return entries;
}

/** `text` (an error message, say) with the URL's credentials blanked out, should a driver have quoted them. */
export function scrubSecrets(text: string, url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return text;
  }
  let out = text.replaceAll(url, endpointOf(url));
  for (const secret of [u.password, u.username]) {
    if (secret === '') continue;
    for (const form of new Set([secret, safeDecode(secret)])) out = out.replaceAll(form, '***');
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
