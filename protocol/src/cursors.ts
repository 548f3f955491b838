/**
 * The cursor formats. A journal cursor is a decimal `seq` (fields.ts `journalCursor`); the page
 * cursors of listings are opaque base64url JSON (`pageCursor`) holding the shapes below. Clients
 * pass them back untouched; the shapes live here so that a cursor is decoded and checked at the
 * edge, like every other field, before a query sees its values.
 */
import { z } from 'zod';
import { id, int8String, text } from './fields.js';

export const LIST_SORTS = ['name', 'modified', 'size'] as const;
export type ListSort = (typeof LIST_SORTS)[number];
export const LIST_ORDERS = ['asc', 'desc'] as const;
export type ListOrder = (typeof LIST_ORDERS)[number];

/**
 * A folder listing's position: the folder, sort and order it belongs to, and the last entry
 * handed out (folder or not, its sort key, its id). The key is a name key for 'name' and a
 * number of microseconds or bytes (a bigint) for the others.
 */
export const ListCursor = z
  .object({
    v: z.literal(1),
    f: id().nullable(),
    s: z.enum(LIST_SORTS),
    o: z.enum(LIST_ORDERS),
    d: z.boolean(),
    k: text(4096),
    i: id(),
  })
  .refine((c) => c.s === 'name' || int8String().safeParse(c.k).success);
export type ListCursor = z.infer<typeof ListCursor>;

/** The trash's position: the last item's trash instant (microseconds) and id. */
export const TrashCursor = z.object({ t: int8String(), i: id() });
export type TrashCursor = z.infer<typeof TrashCursor>;

/** Starred entries' position: the last item's star instant (microseconds) and its file id. */
export const StarredCursor = z.object({ t: int8String(), i: id() });
export type StarredCursor = z.infer<typeof StarredCursor>;

/** Recent files' position: the last item's modification instant (microseconds) and id. */
export const RecentCursor = z.object({ t: int8String(), i: id() });
export type RecentCursor = z.infer<typeof RecentCursor>;
