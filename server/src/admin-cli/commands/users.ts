/** `coffer-admin users`: every account, one line each. */
import { listUsers } from '../../auth/user-admin.js';
import { parse, print, withDatabase } from '../context.js';
import { formatSize } from '../size.js';

export async function users(args: string[]): Promise<void> {
  parse(args, {}, { min: 0, max: 0, usage: 'users' });
  await withDatabase(async ({ db }) => {
    print(['USERNAME', 'ROLE', 'USED', 'QUOTA', 'STATE'].join('\t'));
    for (const u of await listUsers(db)) {
      print([u.username, u.role, formatSize(u.usedBytes), formatSize(u.quotaBytes), u.disabled ? 'disabled' : 'active'].join('\t'));
    }
  });
}
