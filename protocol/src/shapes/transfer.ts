/** Moving bytes: simple and resumable uploads, downloads, revisions. */
import { z } from 'zod';
import { sha256Answer } from '../blocks.js';
import { count, id, int4, pageLimit, path, queryFlag, queryRev } from '../fields.js';
import { timestamp } from './common.js';

export const UPLOAD_TYPES = ['media', 'resumable'] as const;

export const UploadQuery = z
  .object({
    uploadType: z.enum(UPLOAD_TYPES, { error: "uploadType must be 'media' (one request) or 'resumable'" }),
    path: path().optional().register(z.globalRegistry, { description: 'The file (`media` only; resumable takes it in the body)' }),
    baseRev: queryRev().optional().register(z.globalRegistry, { description: 'The revision this content replaces (`media`)' }),
    overwrite: queryFlag().optional().register(z.globalRegistry, { description: 'Replace whatever revision is there (`media`)' }),
  })
  .superRefine((q, ctx) => {
    if (q.uploadType === 'media' && q.path === undefined) ctx.addIssue({ code: 'custom', path: ['path'], message: 'a simple upload names its file: path' });
  });

export const ResumableStart = z
  .object({
    path: path(),
    size: count().optional().register(z.globalRegistry, { description: 'Total size, when known up front' }),
    baseRev: int4().nullable().optional().register(z.globalRegistry, { description: 'The revision this upload replaces' }),
    overwrite: z.boolean().optional().register(z.globalRegistry, { description: 'Replace whatever revision is there' }),
  })
  .register(z.globalRegistry, { id: 'ResumableStart' });

export const ResumableSession = z
  .object({
    sessionId: id(),
    sessionUrl: z.string().register(z.globalRegistry, { description: '`/api/v1/upload/sessions/{id}` (`Location` gives it absolute)' }),
    expiresAt: timestamp().register(z.globalRegistry, { description: 'The session is forgotten after this' }),
  })
  .register(z.globalRegistry, { id: 'ResumableSession' });

/** `Range: bytes=0-(k-1)`: what a resumable upload has durably stored (absent: nothing). */
export const RANGE_STORED = /^bytes=0-[0-9]+$/;

export const DownloadQuery = z.object({
  path: path(),
  rev: queryRev(1).optional().register(z.globalRegistry, { description: 'A revision (default: the head)' }),
  inline: queryFlag()
    .optional()
    .register(z.globalRegistry, {
      description:
        '`Content-Disposition: inline` instead of attachment, for types no browser runs script from (raster images, audio, video, plain text, CSV, Markdown, JSON); every other type stays an attachment. Every answer carries `X-Content-Type-Options: nosniff` and a sandboxing `Content-Security-Policy`.',
    }),
});
export const DownloadByIdQuery = DownloadQuery.omit({ path: true });

export const Revision = z
  .object({
    rev: int4(1),
    size: count(),
    contentHash: sha256Answer(),
    createdAt: timestamp(),
    authorId: id().nullable().register(z.globalRegistry, { description: 'Who wrote it' }),
    deviceId: id().nullable().register(z.globalRegistry, { description: 'From which device' }),
    restoredFrom: int4(1).nullable().register(z.globalRegistry, { description: 'The revision this one restored, if any' }),
    keep: z.boolean().register(z.globalRegistry, { description: 'Kept forever: retention never thins it; while not the head it counts against the quota' }),
  })
  .register(z.globalRegistry, { id: 'Revision' });
export type Revision = z.infer<typeof Revision>;

export const RevisionList = z.object({ revisions: z.array(Revision).register(z.globalRegistry, { description: 'Newest first' }) }).register(z.globalRegistry, { id: 'RevisionList' });
export type RevisionList = z.infer<typeof RevisionList>;

const Limit = pageLimit();
export const RevisionsQuery = z.object({ path: path(), limit: Limit });
export const RevisionsByIdQuery = z.object({ limit: Limit });
export const RevisionBlocksQuery = z.object({ path: path(), rev: queryRev(1).optional().register(z.globalRegistry, { description: 'Default: the head' }) });

export const RestoreRequest = z
  .object({ path: path().optional(), id: id().optional(), rev: int4(1) })
  .refine((b) => (b.path === undefined) !== (b.id === undefined), { message: 'give either path or id' });
