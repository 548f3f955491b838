/** The shapes of the server's answers the client relies on (server/API.md), validated with zod
 *  so a mismatched server fails with a clear message instead of undefined values later. */
import { z } from 'zod';

export const FileView = z.object({
  id: z.string(),
  name: z.string(),
  path: z.string(),
  parentId: z.string().nullable(),
  isDir: z.boolean(),
  size: z.number(),
  rev: z.number(),
  contentHash: z.string().nullable(),
  pending: z.boolean(),
  createdAt: z.string(),
  modifiedAt: z.string(),
  trashedAt: z.string().nullable(),
});
export type FileView = z.infer<typeof FileView>;

export const Listing = z.object({ entries: z.array(FileView), cursor: z.string().optional() });

export const Revision = z.object({
  rev: z.number(),
  size: z.number(),
  contentHash: z.string(),
  createdAt: z.string(),
  restoredFrom: z.number().nullable().optional(),
});
export type Revision = z.infer<typeof Revision>;
export const Revisions = z.object({ revisions: z.array(Revision) });

export const Me = z.object({
  id: z.string(),
  username: z.string(),
  role: z.string(),
  namespaceId: z.string(),
  deviceId: z.string().optional(),
  tokenKind: z.string().optional(),
  /** Not sent by the server yet; shown by `status` once it is. */
  quotaBytes: z.number().optional(),
  usedBytes: z.number().optional(),
});
export type Me = z.infer<typeof Me>;

export const LoginAnswer = z.object({ token: z.string(), user: z.object({ id: z.string(), username: z.string() }) });

export const Missing = z.object({ missing: z.array(z.string()) });

export type CommitAnswer = z.infer<typeof CommitAnswer>;
export const CommitAnswer = FileView.extend({
  conflict: z.boolean(),
  /** Where the content would have gone; id is null when that entry was trashed meanwhile. */
  original: z.object({ id: z.string().nullable(), path: z.string(), rev: z.number() }).optional(),
});

/** GET /revisions/blocks: a revision's ordered block list (for delta downloads). */
export const RevisionBlocks = z.object({
  rev: z.number(),
  size: z.number(),
  contentHash: z.string(),
  blocks: z.array(z.object({ hash: z.string(), size: z.number() })),
});
export type RevisionBlocks = z.infer<typeof RevisionBlocks>;

/** One journal entry (server/API.md ChangeEntry); path and details as at the time of the change. */
export const ChangeEntry = z.object({
  seq: z.number(),
  op: z.string(),
  fileId: z.string().nullable(),
  rev: z.number().nullable(),
  path: z.string().optional(),
  name: z.string(),
  parentId: z.string().nullable().optional(),
  isDir: z.boolean().optional(),
  size: z.number().optional(),
  contentHash: z.string().optional(),
  from: z.string().optional(),
  deviceId: z.string().nullable(),
  at: z.string(),
});
export type ChangeEntry = z.infer<typeof ChangeEntry>;
export const ChangePage = z.object({ entries: z.array(ChangeEntry), cursor: z.number(), has_more: z.boolean() });
export type ChangePage = z.infer<typeof ChangePage>;
export const LatestCursor = z.object({ cursor: z.number() });
export const LongPoll = z.object({ changes: z.boolean(), events: z.boolean().optional(), backoff: z.number().optional() });
export type LongPoll = z.infer<typeof LongPoll>;

export const Devices = z.object({
  devices: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string(), current: z.boolean().optional() })),
});

export const AdminUsers = z.object({
  users: z.array(z.object({ id: z.string(), quotaBytes: z.number(), usedBytes: z.number() })),
});

export interface BlockRef {
  hash: string;
  size: number;
}
