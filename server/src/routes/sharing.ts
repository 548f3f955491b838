/** Shares and groups over HTTP: validate, call sharing/, answer. */
import type { Hono } from 'hono';
import { operations as ops } from '@coffer/protocol';
import type { AppEnv } from '../auth/context.js';
import type { AppDeps } from '../deps.js';
import { operationRouter } from '../http/operation.js';
import { addMember, createGroup, deleteGroup, listGroups, removeMember } from '../sharing/groups.js';
import { acceptShare, createShare, declineShare, getShare, listShares, revokeShare, updateShare } from '../sharing/shares.js';

export function sharingRoutes(deps: AppDeps): Hono<AppEnv> {
  const { db } = deps;
  const r = operationRouter(deps);

  r.mount(ops.createShare, async ({ body, user }) => ({
    status: 201,
    body: await db.transaction((tx) =>
      createShare(tx, user, { ref: { path: body.path, id: body.id }, user: body.user, group: body.group, role: body.role, allowReshare: body.allowReshare }),
    ),
  }));
  r.mount(ops.listShares, async ({ query, user }) => ({ status: 200, body: { shares: await listShares(db, user, query.direction) } }));
  r.mount(ops.getShare, async ({ params, user }) => ({ status: 200, body: await getShare(db, user, params.id) }));
  r.mount(ops.updateShare, async ({ params, body, user }) => ({ status: 200, body: await db.transaction((tx) => updateShare(tx, user, params.id, body)) }));
  r.mount(ops.revokeShare, async ({ params, user }) => {
    await db.transaction((tx) => revokeShare(tx, user, params.id));
    return { status: 204 };
  });
  r.mount(ops.acceptShare, async ({ params, body, user }) => ({
    status: 200,
    body: await db.transaction((tx) => acceptShare(tx, user, params.id, body?.name)),
  }));
  r.mount(ops.declineShare, async ({ params, user }) => ({ status: 200, body: await db.transaction((tx) => declineShare(tx, user, params.id)) }));

  r.mount(ops.adminListGroups, async () => ({ status: 200, body: { groups: await listGroups(db) } }));
  r.mount(ops.adminCreateGroup, async ({ body }) => ({ status: 201, body: await createGroup(db, body.name) }));
  r.mount(ops.adminDeleteGroup, async ({ params }) => {
    await db.transaction((tx) => deleteGroup(tx, params.id));
    return { status: 204 };
  });
  r.mount(ops.adminAddGroupMember, async ({ params, body }) => ({ status: 200, body: await db.transaction((tx) => addMember(tx, params.id, body.username)) }));
  r.mount(ops.adminRemoveGroupMember, async ({ params }) => ({ status: 200, body: await db.transaction((tx) => removeMember(tx, params.id, params.userId)) }));

  return r.router;
}
