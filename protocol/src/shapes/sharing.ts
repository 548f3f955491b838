/** Shares and groups on the wire. */
import { z } from 'zod';
import { id, path, text } from '../fields.js';
import { timestamp } from './common.js';

export const SHARE_ROLES = ['viewer', 'editor'] as const;
export type ShareRole = (typeof SHARE_ROLES)[number];

const userRef = z.object({ id: id(), username: z.string() });

export const Share = z
  .object({
    id: id(),
    fileId: id().register(z.globalRegistry, { description: 'The shared folder or file' }),
    name: z.string().register(z.globalRegistry, { description: 'Its name in the owner’s tree' }),
    isDir: z.boolean(),
    owner: userRef,
    grantee: z.object({ kind: z.enum(['user', 'group']), id: id(), name: z.string() }),
    role: z.enum(SHARE_ROLES),
    allowReshare: z.boolean().register(z.globalRegistry, { description: 'Editors may share it on' }),
    path: z.string().nullable().register(z.globalRegistry, { description: 'Where the caller sees it: the owner’s path for the owner, the mount’s path for a recipient who accepted, else null' }),
    state: z.enum(['owner', 'pending', 'accepted', 'declined']).register(z.globalRegistry, { description: 'The caller’s side of it' }),
    createdAt: timestamp(),
  })
  .register(z.globalRegistry, { id: 'Share' });
export type Share = z.infer<typeof Share>;

export const ShareList = z.object({ shares: z.array(Share) }).register(z.globalRegistry, { id: 'ShareList' });
export type ShareList = z.infer<typeof ShareList>;

export const SharesQuery = z.object({
  direction: z.enum(['incoming', 'outgoing']).default('incoming').register(z.globalRegistry, { description: 'incoming: shared with me; outgoing: what I shared' }),
});

export const NewShareRequest = z
  .strictObject({
    path: path().optional(),
    id: id().optional(),
    user: text(200, 1).optional().register(z.globalRegistry, { description: 'Username of the recipient' }),
    group: text(200, 1).optional().register(z.globalRegistry, { description: 'Name of the recipient group' }),
    role: z.enum(SHARE_ROLES),
    allowReshare: z.boolean().optional(),
  })
  .refine((b) => (b.path === undefined) !== (b.id === undefined), { message: 'give exactly one of path and id' })
  .refine((b) => (b.user === undefined) !== (b.group === undefined), { message: 'give exactly one of user and group' });

export const SharePatchRequest = z
  .strictObject({ role: z.enum(SHARE_ROLES).optional(), allowReshare: z.boolean().optional() })
  .refine((b) => b.role !== undefined || b.allowReshare !== undefined, { message: 'give role or allowReshare' });

export const AcceptShareRequest = z.strictObject({
  name: text(255, 1).optional().register(z.globalRegistry, { description: 'The mount’s name at your root (default: the shared folder’s name, made unique)' }),
});

export const Group = z
  .object({ id: id(), name: z.string(), members: z.array(userRef), createdAt: timestamp() })
  .register(z.globalRegistry, { id: 'Group' });
export type Group = z.infer<typeof Group>;
export const GroupList = z.object({ groups: z.array(Group) }).register(z.globalRegistry, { id: 'GroupList' });
export const NewGroupRequest = z.strictObject({ name: text(200, 1) });
export const GroupMemberRequest = z.strictObject({ username: text(200, 1) });
export const GroupMemberParams = z.object({ id: id(), userId: id() });
