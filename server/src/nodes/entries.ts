/**
 * Storage node entries of the configuration: `COFFER_NODES=name=URL,name=URL,…` (and
 * `COFFER_COLD_NODES`). A node's name is its identity for good — shard rows store it — so the
 * operator chooses it; a list of plain URLs is still read (each named by its position, `s3-0`,
 * `cold-0`, …, as before names existed), and boot refuses it where positions could have shifted.
 * Nothing here ever puts a URL in a message: URLs carry credentials.
 */
import type { Tier } from '@coffer/storage-engine';

// The name and URL rules are the admin API's too: they live in the protocol.
import { nodeNameProblem, nodeUrlProblem } from '@coffer/protocol';

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
