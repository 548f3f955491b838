/** The notification inbox on the wire. */
import { z } from 'zod';
import { id, optionalParam, pageLimit, queryFlag } from '../fields.js';
import { MAX_READ_IDS } from '../limits.js';
import { timestamp } from './common.js';

/** edit/delete/conflict: someone else's change to your file; share_*: a share offered to you, accepted or
 *  declined by its recipient, revoked; activity: files added, edited or deleted in a shared folder by
 *  someone else, grouped (payload.count); link_drop: files dropped through
 *  a file-drop link; link_limit: a link reached its download limit. */
export const NOTIFICATION_KINDS = ['edit', 'delete', 'share', 'conflict', 'share_offered', 'share_accepted', 'share_declined', 'share_revoked', 'activity', 'link_drop', 'link_limit'] as const;

export const Notification = z
  .object({
    id: id(),
    kind: z.enum(NOTIFICATION_KINDS),
    fileId: id().nullable(),
    payload: z.record(z.string(), z.unknown()).register(z.globalRegistry, { description: 'What happened (path, name, device, …)' }),
    createdAt: timestamp(),
    readAt: timestamp().nullable(),
    count: z.number().int().min(1).optional().register(z.globalRegistry, { description: 'Grouped entries: how many changes this one stands for' }),
  })
  .register(z.globalRegistry, { id: 'Notification' });
export type Notification = z.infer<typeof Notification>;

export const NotificationPage = z
  .object({ notifications: z.array(Notification), cursor: z.string().optional().register(z.globalRegistry, { description: 'When more follow: pass it back' }) })
  .register(z.globalRegistry, { id: 'NotificationPage' });

export const NotificationsQuery = z.object({
  unread: queryFlag().default(false),
  limit: pageLimit(200, 50),
  // `cursor=` (empty) is the first page; else the id of the previous page's last notification.
  cursor: optionalParam(id()),
});

export const MarkReadRequest = z
  .strictObject({ ids: z.array(id()).max(MAX_READ_IDS).optional(), all: z.literal(true).optional() })
  .refine((b) => (b.ids === undefined) !== (b.all === undefined), { message: 'give exactly one of ids and all: true' });

export const MarkReadAnswer = z.object({ updated: z.number().int().min(0).register(z.globalRegistry, { description: 'How many changed (the caller’s unread entries only)' }) });
