/** Shares and groups over HTTP: validate, call sharing/, answer. */
import type { Context, Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import type { AppEnv, AuthUser } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { operationRouter } from '../http/operation.js';
import { actorOf } from '../audit/actor.js';
import { recordAudit, type AuditEntry } from '../audit/record.js';
import type { Db } from '../db/open.js';
import { addMember, createGroup, deleteGroup, listGroups, removeMember } from '../sharing/groups.js';
import { acceptShare, createShare, declineShare, getShare, listShares, revokeShare, updateShare } from '../sharing/shares.js';

export function sharingRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db } = deps;
  const r = operationRouter(deps);

  // Audit records commit with the change they tell of (one transaction).
  const audit = (tx: Db, c: Context<AppEnv>, user: AuthUser, e: AuditEntry) => recordAudit(tx, actorOf(c, user, deps.config.trustProxy), e);

  r.mount(ops.createShare, async ({ body, user }, c) => ({
    status: 201,
    body: await db.transaction(async (tx) => {
      const share = await createShare(tx, user, { ref: { path: body.path, id: body.id }, user: body.user, group: body.group, role: body.role, allowReshare: body.allowReshare });
      await audit(tx, c, user, { kind: 'share_created', target: share.id, details: { grantee: body.user ?? null, group: body.group ?? null, role: body.role } });
      return share;
    }),
  }));
  r.mount(ops.listShares, async ({ query, user }) => ({ status: 200, body: { shares: await listShares(db, user, query.direction) } }));
  r.mount(ops.getShare, async ({ params, user }) => ({ status: 200, body: await getShare(db, user, params.id) }));
  r.mount(ops.updateShare, async ({ params, body, user }) => ({ status: 200, body: await db.transaction((tx) => updateShare(tx, user, params.id, body)) }));
  r.mount(ops.revokeShare, async ({ params, user }, c) => {
    await db.transaction(async (tx) => {
      await revokeShare(tx, user, params.id);
      await audit(tx, c, user, { kind: 'share_revoked', target: params.id });
    });
    return { status: 204 };
  });
  r.mount(ops.acceptShare, async ({ params, body, user }) => ({
    status: 200,
    body: await db.transaction((tx) => acceptShare(tx, user, params.id, body?.name)),
  }));
  r.mount(ops.declineShare, async ({ params, user }) => ({ status: 200, body: await db.transaction((tx) => declineShare(tx, user, params.id)) }));

  r.mount(ops.adminListGroups, async () => ({ status: 200, body: { groups: await listGroups(db) } }));
  r.mount(ops.adminCreateGroup, async ({ body, user }, c) => ({
    status: 201,
    body: await db.transaction(async (tx) => {
      const group = await createGroup(tx, body.name);
      await audit(tx, c, user, { kind: 'group_created', target: group.name, details: { groupId: group.id } });
      return group;
    }),
  }));
  r.mount(ops.adminDeleteGroup, async ({ params, user }, c) => {
    await db.transaction(async (tx) => {
      await deleteGroup(tx, params.id);
      await audit(tx, c, user, { kind: 'group_deleted', target: params.id });
    });
    return { status: 204 };
  });
  r.mount(ops.adminAddGroupMember, async ({ params, body, user }, c) => ({
    status: 200,
    body: await db.transaction(async (tx) => {
      const group = await addMember(tx, params.id, body.username);
      await audit(tx, c, user, { kind: 'group_member_added', target: group.name, details: { groupId: group.id, username: body.username } });
      return group;
    }),
  }));
  r.mount(ops.adminRemoveGroupMember, async ({ params, user }, c) => ({
    status: 200,
    body: await db.transaction(async (tx) => {
      const group = await removeMember(tx, params.id, params.userId);
      await audit(tx, c, user, { kind: 'group_member_removed', target: group.name, details: { groupId: group.id, userId: params.userId } });
      return group;
    }),
  }));

  return r.router;
}
