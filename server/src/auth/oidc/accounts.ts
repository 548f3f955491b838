/**
 * The account a single sign-on lands in: the one linked to the provider's issuer and subject, or
 * on a first sign-in a new one made from the claims (never an existing local account of the same
 * name; one of the same verified email only with COFFER_OIDC_LINK_BY_EMAIL=1). Then, on every
 * sign-in, its email, display name, groups and (when configured) role follow the claims. All in one
 * transaction: a refusal (a disabled account, a taken name) changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Db } from '../../db/open.js';
import { groupMembers, groups, ssoIdentities, users } from '../../db/schema.js';
import { ConflictError, ForbiddenError } from '../../http-errors.js';
import { addMember, removeMember } from '../../sharing/groups.js';
import { createUser, userByName, type UserRow } from '../users.js';
import type { SsoProfile } from './claims.js';

export interface SsoAccountOptions {
  linkByEmail: boolean;
}

export async function ssoAccount(db: Db, p: SsoProfile, opts: SsoAccountOptions): Promise<UserRow> {
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    const [identity] = await t
      .select()
      .from(ssoIdentities)
      .where(and(eq(ssoIdentities.issuer, p.issuer), eq(ssoIdentities.subject, p.subject)))
      .for('update');
    let user: UserRow | undefined;
    let synced: string[] = identity?.syncedGroups ?? [];
    if (identity) {
      [user] = await t.select().from(users).where(eq(users.id, identity.userId)).for('update');
    } else {
      user = await firstSignIn(t, p, opts);
      await t.insert(ssoIdentities).values({ issuer: p.issuer, subject: p.subject, userId: user.id });
    }
    if (!user) throw new Error('an SSO identity without its account'); // ON DELETE CASCADE makes this impossible
    if (user.disabled) throw new ForbiddenError('this account is disabled; ask an administrator', { code: 'account_disabled' });

    const role = p.admin === undefined ? user.role : p.admin ? 'admin' : await demotion(t, user);
    const [updated] = await t
      .update(users)
      .set({
        role,
        ...(p.email !== undefined ? { email: p.email } : {}),
        ...(p.displayName !== undefined ? { displayName: p.displayName } : {}),
      })
      .where(eq(users.id, user.id))
      .returning();
    if (p.groups) synced = await syncGroups(t, updated!, p.groups, synced);
    await t
      .update(ssoIdentities)
      .set({ syncedGroups: synced, lastSignInAt: new Date() })
      .where(and(eq(ssoIdentities.issuer, p.issuer), eq(ssoIdentities.subject, p.subject)));
    return updated!;
  });
}

async function firstSignIn(t: Db, p: SsoProfile, opts: SsoAccountOptions): Promise<UserRow> {
  if (opts.linkByEmail && p.email) {
    if (!p.emailVerified) throw new ForbiddenError('the identity provider has not verified this email, so it cannot be linked to an account', { code: 'sso_claim_invalid' });
    const same = await t.select().from(users).where(sql`lower(${users.email}) = lower(${p.email})`).for('update');
    // Two local accounts with one email: which one is meant is for an administrator to say.
    if (same.length === 1) return same[0]!;
  }
  if (await userByName(t, p.username)) {
    throw new ConflictError(`an account named ${p.username} exists and is not linked to this sign-in; ask an administrator`, { code: 'sso_username_taken' });
  }
  // A password nobody knows (hashed like any other, so a password sign-in costs the same): the
  // account signs in through the provider until an administrator sets one.
  return createUser(t, { username: p.username, password: randomBytes(32).toString('base64url'), email: p.email ?? null });
}

/** The claims say "not an admin": demote, unless that would leave the server without an enabled one. */
async function demotion(t: Db, user: UserRow): Promise<'user' | 'admin'> {
  if (user.role !== 'admin') return 'user';
  const others = await t
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, 'admin'), eq(users.disabled, false), ne(users.id, user.id)))
    .limit(1);
  return others.length > 0 ? 'user' : 'admin';
}

/** Membership in the claimed groups (made when missing); groups an earlier sign-in added and the
 *  claims no longer name are left (with their shares' mounts). Returns the groups now synced. */
async function syncGroups(t: Db, user: UserRow, wanted: string[], synced: string[]): Promise<string[]> {
  const key = (n: string) => n.toLowerCase();
  const wantedKeys = new Set(wanted.map(key));
  for (const name of wanted) {
    await t.insert(groups).values({ name }).onConflictDoNothing();
    const [g] = await t.select({ id: groups.id }).from(groups).where(sql`lower(${groups.name}) = lower(${name})`);
    await addMember(t, g!.id, user.username);
  }
  const gone = synced.filter((n) => !wantedKeys.has(key(n))).map(key);
  if (gone.length > 0) {
    const rows = await t
      .select({ id: groups.id })
      .from(groups)
      .innerJoin(groupMembers, and(eq(groupMembers.groupId, groups.id), eq(groupMembers.userId, user.id)))
      .where(inArray(sql`lower(${groups.name})`, gone));
    for (const g of rows) await removeMember(t, g.id, user.id);
  }
  return wanted;
}
