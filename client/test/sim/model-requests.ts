/**
 * The model's edge: what the server's routes accept from the calls SyncApi makes, checked with the
 * very schemas the routes validate with (@coffer/protocol's operations), on the request as
 * CofferApi sends it (a JSON body after a round trip; query values as text), and with the server's
 * own `parse`, so a malformed call is the same 400 'invalid_request' here as there.
 */
import type { z } from 'zod';
import { CommitRequest, operations as ops } from '@coffer/protocol';
import { parse } from '@coffer/server/rules';

const schemas = {
  mkdir: ops.mkdir.body.json,
  move: ops.move.body.json,
  delete: ops.deleteEntry.body.json,
  missing: ops.missingBlocks.body.json,
  // The route also takes a kept list (blockList); SyncApi's commit always lists the blocks.
  commit: CommitRequest,
  commitBatch: ops.commitBatch.body.json,
  blockLists: ops.revisionBlocksBatch.body.json,
  fetchBlocks: ops.fetchBlocks.body.json,
  revisionBlocks: ops.revisionBlocks.query,
  changes: ops.listChanges.query,
  longpoll: ops.longpollChanges.query,
};

type Schemas = typeof schemas;
const QUERIES = new Set<keyof Schemas>(['revisionBlocks', 'changes', 'longpoll']);

/** The request as the route sees it (JSON: undefined fields dropped; a query: its values as text), or the route's 400. */
export function request<K extends keyof Schemas>(kind: K, value: Record<string, unknown>): z.output<Schemas[K]> {
  const sent = QUERIES.has(kind)
    ? Object.fromEntries(Object.entries(value).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])))
    : JSON.parse(JSON.stringify(value));
  return parse(schemas[kind] as unknown as z.ZodType<z.output<Schemas[K]>>, sent);
}
