/** Addresses and CIDRs as a node:net BlockList (COFFER_METRICS_ALLOW). */
import { BlockList, isIP } from 'node:net';

/** Loopback only: a scraper on the same machine (or a sidecar sharing its network). */
export const DEFAULT_METRICS_ALLOW = ['127.0.0.0/8', '::1/128'];

export function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of cidrs) {
    const [address = '', prefix, extra] = entry.trim().split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? undefined : Number(prefix);
    const max = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || (bits !== undefined && !(Number.isInteger(bits) && bits >= 0 && bits <= max))) {
      throw new Error(`COFFER_METRICS_ALLOW: "${entry}" is not an address or CIDR`);
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, bits, type);
  }
  return list;
}
