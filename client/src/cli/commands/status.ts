/** `coffer status`: who am I, on which server, with which device, and my quota when visible. */
import { CliStatus } from '@coffer/protocol';
import { humanSize } from '../format.js';
import { openSession, parse, print, trustView } from '../context.js';
import { jsonOutput, printJson } from '../output.js';

export async function status(args: string[]): Promise<void> {
  parse(args, {}, { min: 0, max: 0, usage: 'coffer status' });
  const { config, api } = await openSession();
  try {
    const me = await api.me();
    const device = (await api.devices()).devices.find((d) => d.id === me.deviceId);
    const trust = trustView(config);
    if (jsonOutput()) return printJson(CliStatus, { server: config.url, trust, me, device: device ?? null });
    print(`server:   ${config.url}`);
    const trustText = { pinned: `pinned certificate SHA-256 ${trust.fingerprint}`, ca: "the CA file given at login (and the system's CAs)", system: "the system's CAs", 'insecure-http': 'plain http (insecure)' };
    print(`trust:    ${trustText[trust.kind]}`);
    print(`user:     ${me.username} (${me.role})`);
    print(`device:   ${device ? `${device.name} (${device.kind})` : (config.deviceName ?? '-')}${me.deviceId ? ` id ${me.deviceId}` : ''}`);
    const pct = ((100 * (me.usedBytes + me.reservedBytes)) / Math.max(1, me.quotaBytes)).toFixed(1);
    const pending = me.reservedBytes > 0 ? ` (+ ${humanSize(me.reservedBytes)} of uploads in progress)` : '';
    print(`quota:    ${humanSize(me.usedBytes)}${pending} of ${humanSize(me.quotaBytes)} used (${pct}%)`);
  } finally {
    api.close();
  }
}
