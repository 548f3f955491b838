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
    // GET /me carries no quota yet (read it when it does); an admin can read it from the user list.
    let quota = me.quotaBytes !== undefined && me.usedBytes !== undefined ? { quotaBytes: me.quotaBytes, usedBytes: me.usedBytes } : undefined;
    if (!quota && me.role === 'admin') quota = (await api.adminUsers()).users.find((x) => x.id === me.id);
    if (quota) {
      const pct = ((100 * quota.usedBytes) / Math.max(1, quota.quotaBytes)).toFixed(1);
      print(`quota:    ${humanSize(quota.usedBytes)} of ${humanSize(quota.quotaBytes)} used (${pct}%)`);
    } else {
      print('quota:    not shown (the server does not tell non-admins yet)');
    }
  } finally {
    api.close();
  }
}
