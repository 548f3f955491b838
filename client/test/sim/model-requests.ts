/**
 * The model's edge: what the server's routes accept from the calls SyncApi makes, checked on the
 * request as CofferApi would send it (after a JSON round trip), with the server's own `parse`, so
 * a malformed call is the same 400 'invalid_request' (or 'invalid_hash') here as there. Only the
 * limits a client can reach are repeated; the routes remain the authority.
 */
import { z } from 'zod';
import { MAX_BLOCK_BYTES, Sha256Hex } from '../../../server/src/blocks/hash.js';
import { parse } from '../../../server/src/http-errors.js';

const Rev = z.number().int().min(0).max(2 ** 31 - 1);
/** A cursor is a decimal of at most 15 digits on the wire. */
const Cursor = z.number().int().min(0).max(1e15 - 1);
const ref = { path: z.string().optional(), id: z.guid().optional() };
const oneRef = (v: { path?: unknown; from?: unknown; id?: unknown }) => ((v.path ?? v.from) === undefined) !== (v.id === undefined);

const schemas = {
  mkdir: z.strictObject({ path: z.string(), parents: z.boolean().optional() }),
  move: z.strictObject({ from: z.string().optional(), id: z.guid().optional(), to: z.string() }).refine(oneRef, { message: 'give exactly one of from (a path) and id' }),
  delete: z
    .strictObject({ ...ref, rev: Rev.optional(), recursive: z.boolean().optional() })
    .refine(oneRef, { message: 'give exactly one of path and id' }),
  missing: z.strictObject({ hashes: z.array(Sha256Hex).max(10_000) }),
  commit: z
    .strictObject({
      path: z.string().min(1),
      size: z.number().int().min(0),
      blocks: z.array(z.strictObject({ hash: Sha256Hex, size: z.number().int().min(1).max(MAX_BLOCK_BYTES) })),
      baseRev: Rev.nullable(),
      fileId: z.guid().optional(),
      onConflict: z.enum(['fail', 'copy']).optional(),
      mtime: z.number().int().min(0).max(8.64e15).optional(),
    })
    .refine((b) => b.fileId === undefined || b.baseRev !== null, { message: 'fileId names the entry baseRev belongs to: give baseRev with it', path: ['fileId'] }),
  revisionBlocks: z.object({ path: z.string().min(1), rev: z.number().int().min(1).optional() }),
  changes: z.object({ cursor: Cursor, limit: z.number().int().min(1).max(2000) }),
  longpoll: z.object({ cursor: Cursor, timeout: z.number().int().min(30).max(480) }),
};

type Schemas = typeof schemas;

/** The request as the route sees it (JSON: undefined fields dropped), or the route's 400. */
export function request<K extends keyof Schemas>(kind: K, value: unknown): z.infer<Schemas[K]> {
  return parse(schemas[kind] as unknown as z.ZodType<z.infer<Schemas[K]>>, JSON.parse(JSON.stringify(value)));
}
