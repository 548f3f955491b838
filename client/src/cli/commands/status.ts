/** `coffer status`: who am I, on which server, with which device, and my quota when visible. */
import { humanSize } from '../format.js';
import { openSession, parse, print } from '../context.js';

export async function status(args: string[]): Promise<void> {
  parse(args, {}, { min: 0, max: 0, usage: 'coffer status' });
  const { config, api } = await openSession();
  try {
    const me = await api.me();
    print(`server:   ${config.url}`);
    print(`trust:    ${config.fingerprint ? `pinned certificate SHA-256 ${config.fingerprint}` : config.ca ? 'CA file' : 'plain http (insecure)'}`);
    print(`user:     ${me.username} (${me.role})`);
    const device = (await api.devices()).devices.find((d) => d.id === me.deviceId);
    print(`device:   ${device ? `${device.name} (${device.kind})` : (config.deviceName ?? '-')}${me.deviceId ? ` id ${me.deviceId}` : ''}`);
    const pct = ((100 * (me.usedBytes + me.reservedBytes)) / Math.max(1, me.quotaBytes)).toFixed(1);
    const pending = me.reservedBytes > 0 ? ` (+ ${humanSize(me.reservedBytes)} of uploads in progress)` : '';
    print(`quota:    ${humanSize(me.usedBytes)}${pending} of ${humanSize(me.quotaBytes)} used (${pct}%)`);
  } finally {
    api.close();
  }
}
