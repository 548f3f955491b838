/**
 * The websocket at /api/v1/events: JSON messages with a `type`. Not an HTTP operation, so not in
 * the OpenAPI document; its shapes live here all the same.
 */
import { z } from 'zod';
import { count, id, journalCursor, journalCursorNumber, path } from './fields.js';
import { MAX_BLOCK_BYTES, Sha256Hex } from './blocks.js';
import { ChangeEntry } from './shapes/sync.js';
import { Notification } from './shapes/notifications.js';
import { SHARE_ROLES } from './shapes/sharing.js';

export const EVENTS_PATH = '/api/v1/events';

/** Client → server. `resume` sends the changes after `cursor`, then live ones (no cursor: from now). */
export const ClientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('resume'), cursor: z.union([journalCursorNumber(), journalCursor()]).optional() }),
  z.object({ type: z.literal('ping') }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

/** Server → client: changes in seq order (each once, none skipped), the end of a resume's
 *  backlog, a cursor that cannot be served, a message not understood, and published events. */
export const ServerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('change'), entry: ChangeEntry }),
  z.object({ type: z.literal('synced'), cursor: count() }),
  z.object({ type: z.literal('reset'), message: z.string(), latestCursor: count() }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string() }),
  z.object({ type: z.literal('pong') }),
  z.object({
    type: z.literal('notification'),
    /** Without `payload` (and with `truncated`) when it was too large for one NOTIFY: read the inbox for it. */
    notification: Notification.partial({ payload: true }),
    truncated: z.literal(true).optional(),
  }),
  /** The owner of a share this user receives changed its role: what the user may do there changed (a sync agent reads it again). */
  z.object({ type: z.literal('share_changed'), shareId: id(), role: z.enum(SHARE_ROLES) }),
  /** The user starred or unstarred an entry (on any of their devices): stars are not in the journal. */
  z.object({ type: z.literal('starred'), id: id(), starred: z.boolean() }),
  /**
   * One of the user's devices is uploading a big new file (POST /blocks/pack/entries with `file`):
   * these blocks of it, one after the other from `offset`, are stored. Another device may fetch
   * them now (they are readable to the user before the commit) and so hold most of the file when
   * the commit comes; until then it is no file, and may never be one.
   */
  z.object({
    type: z.literal('uploading'),
    path: path(),
    /** The whole file's size. */
    size: count(),
    offset: count(),
    blocks: z.array(z.object({ hash: Sha256Hex, size: z.number().int().min(1).max(MAX_BLOCK_BYTES) })).min(1),
  }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;
