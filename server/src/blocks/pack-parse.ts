/**
 * A pack body read and every entry verified (`@coffer/protocol` decodePack, hashed with
 * node:crypto), its faults as the HTTP errors a pack request answers: 400 `invalid_pack` or
 * `hash_mismatch`, nothing stored. Free of the database, so the simulation's model server reads
 * packs with it too (`@coffer/server/rules`).
 */
import { decodePack, type PackBlock } from '@coffer/protocol';
import { BadRequestError } from '../http-errors.js';
import { sha256Hex } from './hash.js';

export type PackEntry = PackBlock;

/** Every entry of a pack, each verified (400 `invalid_pack`, `hash_mismatch`); throws before anything is used. */
export function parsePack(data: Uint8Array): PackEntry[] {
  const r = decodePack(data, sha256Hex);
  if ('entries' in r) return r.entries;
  const { code, message, details } = r.fault;
  throw new BadRequestError(`${message}; nothing of the pack was stored`, { code, ...(Object.keys(details).length > 0 ? { details } : {}) });
}
