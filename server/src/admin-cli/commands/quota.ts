/** `coffer-admin quota USER SIZE`: a user's quota (existing files stay; new bytes past it are refused). */
import { updateUser } from '../../auth/user-admin.js';
import { parse, print, UsageError, withDatabase } from '../context.js';
import { formatSize, parseSize } from '../size.js';
import { namedUser } from '../user-arg.js';

export async function quota(args: string[]): Promise<void> {
  const { positionals } = parse(args, {}, { min: 2, max: 2, usage: 'quota USER SIZE   (SIZE: 10G, 500M, 2T, or bytes)' });
  const [username, sizeText] = positionals as [string, string];
  const bytes = parseSize(sizeText);
  if (bytes === undefined || bytes <= 0) throw new UsageError(`"${sizeText}" is not a size: write it as 10G, 500M, 2T or a number of bytes`);
  await withDatabase(async ({ db }) => {
    const user = await namedUser(db, username);
    const row = await updateUser(db, user.id, { quotaBytes: bytes });
    print(`${row.username}: quota ${formatSize(row.quotaBytes)} (${row.quotaBytes} bytes), ${formatSize(row.usedBytes)} used`);
  });
}
