/**
 * The commonest commit, a file uploaded to a free name, in one statement: the function
 * coffer_commit_new_file (migration 0005) does what fileForUpload + commitVersion do for a new
 * entry — the same rows, in the same order, under the same locks, with the same journal row and
 * NOTIFY, settling quota reservations the same way (migration 0006) — in one round trip instead of eleven (most of an upload's database CPU on PGlite).
 *
 * It handles the plain case only. When anything is unusual (the folder was deleted, someone took
 * the name meanwhile, over quota, a block claimed by GC) the function raises CF001, which undoes
 * the whole statement, and this answers undefined: the caller then takes the general path, whose
 * answer (a commit, or the typed error) is the one given.
 */
import { randomUUID } from 'node:crypto';
import { pgErrorCode } from '../db/errors.js';
import type { Db } from '../db/open.js';
import { pgTextArray, rawValue } from '../db/raw.js';
import { files } from '../db/schema.js';
import { tableRow } from '../db/table-row.js';
import { nameKey, normalizeName } from '../names.js';
import { JOURNAL_CHANNEL, JOURNAL_LOCK_CLASS, versionPayload } from './journal.js';
import type { FolderId } from './tree.js';
import { blockListRows, type NewVersion } from './versions.js';
import type { FileRow } from './view.js';

/** SQLSTATE raised by coffer_commit_new_file when it leaves the commit to the general path. */
const DECLINED = 'CF001';

export interface NewFileVersion extends Pick<NewVersion, 'blocks' | 'size' | 'contentHash' | 'authorId' | 'deviceId'> {
  namespaceId: string;
  parentId: FolderId;
  name: string;
  /** The simple upload's quota reservation (kind 'upload'), released by the commit as commitVersion does. */
  uploadReservation?: string;
}

/** The new entry after its first commit, or undefined: use the general path. */
export async function commitNewFile(db: Db, v: NewFileVersion): Promise<FileRow | undefined> {
  const name = normalizeName(v.name);
  const blocks = blockListRows(v.blocks).map((b) => ({ ordinal: b.ordinal, key: b.blockKey, offset: b.offset, length: b.length }));
  // What commitVersion journals for a first version.
  const now = new Date();
  const payload = versionPayload({ name, parentId: v.parentId }, v, now);
  try {
    const row = await rawValue<Record<string, unknown>>(
      db,
      `select coffer_commit_new_file($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5, $6, $7::bigint, $8, $9::uuid, $10::uuid,
        $11::jsonb, $12::text[], $13::timestamptz, $14::jsonb, $15::int, $16, $17) as v`,
      [
        randomUUID(),
        randomUUID(),
        v.namespaceId,
        v.parentId,
        name,
        nameKey(name),
        v.size,
        v.contentHash,
        v.authorId,
        v.deviceId ?? null,
        JSON.stringify(blocks),
        pgTextArray([...new Set(blocks.map((b) => b.key))]),
        now.toISOString(),
        JSON.stringify(payload),
        JOURNAL_LOCK_CLASS,
        JOURNAL_CHANNEL,
        v.uploadReservation ?? null,
      ],
    );
    return row ? tableRow(files, row) : undefined;
  } catch (err) {
    if (pgErrorCode(err) === DECLINED) return undefined;
    throw err;
  }
}
