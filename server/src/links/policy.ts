/**
 * The server's link policy (run-time settings): whether public links and drops may be made at
 * all, whether they need a password, and how far their expiry may reach. Checked when a link is
 * made or changed; links made before a stricter policy keep working until changed.
 */
import type { SettingValues } from '@coffer/protocol';
import { ConflictError } from '../http-errors.js';

export type LinkPolicy = Pick<SettingValues, 'allowPublicLinks' | 'linkRequirePassword' | 'linkMaxExpiryDays'>;

const refuse = (message: string) => new ConflictError(message, { code: 'link_policy' });

/** The link as it would be: a password or not, its expiry (null: never). */
export function checkLinkPolicy(p: LinkPolicy, link: { hasPassword: boolean; expiresAt: Date | null }, now = Date.now()): void {
  if (!p.allowPublicLinks) throw refuse('public links are turned off on this server');
  if (p.linkRequirePassword && !link.hasPassword) throw refuse('this server requires a password on every public link');
  if (p.linkMaxExpiryDays > 0) {
    const latest = now + p.linkMaxExpiryDays * 86_400_000;
    if (!link.expiresAt || link.expiresAt.getTime() > latest) throw refuse(`public links on this server expire within ${p.linkMaxExpiryDays} days: give an earlier expiresAt`);
  }
}
