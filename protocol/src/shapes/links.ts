/** Public links on the wire: the owner's management API (/api/v1/links) and what /s/{token} answers. */
import { z } from 'zod';
import { ListCursor } from '../cursors.js';
import { count, id, optionalParam, pageCursor, path, text } from '../fields.js';
import { timestamp } from './common.js';

/** `view`: anyone with the link may list and download; `drop`: anyone may upload into the folder, nothing more. */
export const LINK_KINDS = ['view', 'drop'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

/** A link token: 32 random bytes in base64url (256 bits); anything else names no link. */
export const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/;
export const isLinkToken = (s: string) => LINK_TOKEN.test(s);

/** Passwords of links: as long as account passwords may be; NUL and lone surrogates refused. */
const LinkPassword = text(1024, 1).register(z.globalRegistry, { format: 'password', description: 'Stored hashed (scrypt); the link asks for it' });

export const Link = z
  .object({
    id: id(),
    fileId: id(),
    path: z.string().register(z.globalRegistry, { description: 'Where the linked file or folder is now' }),
    isDir: z.boolean(),
    kind: z.enum(LINK_KINDS),
    hasPassword: z.boolean(),
    expiresAt: timestamp().nullable(),
    maxDownloads: count(1).nullable(),
    downloads: count(),
    disabled: z.boolean(),
    createdAt: timestamp(),
    url: z.string().optional().register(z.globalRegistry, { description: 'Only in the answer to its creation: the token is stored hashed and never shown again' }),
  })
  .register(z.globalRegistry, { id: 'Link' });
export type Link = z.infer<typeof Link>;

export const LinkList = z.object({ links: z.array(Link) }).register(z.globalRegistry, { id: 'LinkList' });

export const LinkCreate = z
  .strictObject({
    path: path().optional().register(z.globalRegistry, { description: 'The file or folder, by path (or give `fileId`)' }),
    fileId: id().optional(),
    kind: z.enum(LINK_KINDS).default('view').register(z.globalRegistry, { description: '`drop` needs a folder' }),
    password: LinkPassword.optional(),
    expiresAt: timestamp().optional().register(z.globalRegistry, { description: 'After this the link answers 410 `link_gone`' }),
    maxDownloads: count(1).optional().register(z.globalRegistry, { description: 'Downloads allowed (each answer with bytes counts: a file, a range, a zip; not HEAD or 304); then 410 `link_gone`' }),
  })
  .refine((b) => (b.path === undefined) !== (b.fileId === undefined), { message: 'give exactly one of path and fileId' })
  .register(z.globalRegistry, { id: 'LinkCreate' });
export type LinkCreate = z.input<typeof LinkCreate>;

export const LinkUpdate = z
  .strictObject({
    disabled: z.boolean().optional(),
    password: LinkPassword.nullable().optional().register(z.globalRegistry, { description: 'null removes the password' }),
    expiresAt: timestamp().nullable().optional(),
    maxDownloads: count(1).nullable().optional(),
  })
  .register(z.globalRegistry, { id: 'LinkUpdate' });
export type LinkUpdate = z.input<typeof LinkUpdate>;

/** What GET /s/{token} answers: the linked entry and, for a view link of a folder, a folder's entries. */
export const PublicEntry = z.object({
  name: z.string(),
  path: z.string().register(z.globalRegistry, { description: 'Relative to the link, `/` its own root' }),
  isDir: z.boolean(),
  size: count(),
  modifiedAt: timestamp(),
});
export const PublicLinkView = z
  .object({
    kind: z.enum(LINK_KINDS),
    name: z.string(),
    isDir: z.boolean(),
    size: count(),
    expiresAt: timestamp().nullable(),
    entries: z.array(PublicEntry).optional().register(z.globalRegistry, { description: 'A view link of a folder: the entries of `?path=` (default its root), folders first, by name' }),
    cursor: z.string().optional().register(z.globalRegistry, { description: 'When more entries follow: pass it back as `cursor` with the same `path`' }),
  })
  .register(z.globalRegistry, { id: 'PublicLinkView' });
export type PublicLinkView = z.infer<typeof PublicLinkView>;

/** Query of /s/{token}/download: a path inside a folder link. */
export const PublicPathQuery = z.object({ path: path().optional() });
/** Query of /s/{token}: a path inside a folder link, and the page of its entries. */
export const PublicListQuery = PublicPathQuery.extend({ cursor: optionalParam(pageCursor(ListCursor)) });
/** Query of POST /s/{token}/upload: the dropped file's name (sanitised, renamed on collision). */
export const PublicDropQuery = z.object({ name: text(1024, 1) });

export const DropAnswer = z.object({ name: z.string().register(z.globalRegistry, { description: 'The name it was stored under' }), size: count() }).register(z.globalRegistry, { id: 'DropAnswer' });
