/**
 * The model's file tree: rows shaped exactly like the server's `files` rows (so the server's own
 * pure functions — fileView, checkRule, folderOf — apply to them unchanged), an index of live names
 * per folder (case-insensitive keys, as the database's unique index), and the lookups the server
 * makes in SQL (tree.ts, subtree.ts) done in memory.
 */
import { nameKey, normalizeName, type FileRow } from '@coffer/server/rules';
import type { IdSource } from './model-sources.js';

/** The one account the model serves. */
export const NAMESPACE_ID = '00000000-0000-4000-8000-000000000000';

type FolderId = string | null;

export class Tree {
  readonly #rows = new Map<string, FileRow>();
  /** `parentId/nameKey` → id of the live entry holding that name. */
  readonly #live = new Map<string, string>();
  /** Folder (null: the root) → ids of the entries in it, live or trashed. */
  readonly #kids = new Map<FolderId, Set<string>>();

  constructor(private readonly ids: IdSource) {}

  /** Any entry, live or trashed. */
  byId(id: string): FileRow | undefined {
    return this.#rows.get(id);
  }

  /** Every entry ever made, live and trashed, in creation order. */
  all(): FileRow[] {
    return [...this.#rows.values()];
  }

  /** The live entry holding `name` (any case, any normalisation) in a folder. */
  child(parentId: FolderId, name: string): FileRow | undefined {
    return this.childByKey(parentId, nameKey(name));
  }

  childByKey(parentId: FolderId, key: string): FileRow | undefined {
    const id = this.#live.get(slot(parentId, key));
    return id === undefined ? undefined : this.#rows.get(id);
  }

  /** Live children of a folder, in no particular order. */
  children(parentId: FolderId): FileRow[] {
    return [...(this.#kids.get(parentId) ?? [])].map((id) => this.#rows.get(id)!).filter((r) => r.trashedAt === null);
  }

  /** The live entries along a path from the root: one per segment until a name is missing, none after a file (coffer_walk). */
  walk(segments: readonly string[]): FileRow[] {
    const out: FileRow[] = [];
    let parentId: FolderId = null;
    for (const s of segments) {
      const row = this.child(parentId, s);
      if (!row) break;
      out.push(row);
      if (!row.isDir) break;
      parentId = row.id;
    }
    return out;
  }

  /** The live entry at a path (segments parsed), if every segment is there. */
  entryAt(segments: readonly string[]): FileRow | undefined {
    const rows = this.walk(segments);
    return rows.length === segments.length ? rows.at(-1) : undefined;
  }

  /** Where an entry is (or was, for a trashed one): its ancestors' names and its own. */
  pathOf(row: FileRow): string {
    const names = [row.name];
    for (let p = row.parentId; p !== null; ) {
      const parent = this.#rows.get(p)!;
      names.unshift(parent.name);
      p = parent.parentId;
    }
    return `/${names.join('/')}`;
  }

  /** True when `ancestorId` is `id` itself or one of its ancestors. */
  isWithin(id: string, ancestorId: string): boolean {
    for (let p: FolderId = id; p !== null; p = this.#rows.get(p)!.parentId) if (p === ancestorId) return true;
    return false;
  }

  /** A new live entry; the caller has made sure the name is free. */
  create(parentId: FolderId, name: string, isDir: boolean, at: Date): FileRow {
    const n = normalizeName(name);
    const row: FileRow = {
      id: this.ids.next(),
      namespaceId: NAMESPACE_ID,
      parentId,
      name: n,
      nameKey: nameKey(n),
      isDir,
      headVersionId: null,
      rev: 0,
      size: 0,
      contentHash: null,
      pending: false,
      trashedAt: null,
      createdAt: at,
      modifiedAt: at,
      mountShareId: null,
    };
    this.#claim(row);
    this.#rows.set(row.id, row);
    this.#adopt(row);
    return row;
  }

  /** Give a live entry a new folder and name (free, or its own). */
  rename(row: FileRow, parentId: FolderId, name: string, at: Date): void {
    this.#live.delete(slot(row.parentId, row.nameKey));
    this.#kids.get(row.parentId)!.delete(row.id);
    Object.assign(row, { parentId, name, nameKey: nameKey(name), modifiedAt: at });
    this.#claim(row);
    this.#adopt(row);
  }

  /** Trash a live entry and everything live below it, at one instant. */
  trash(row: FileRow, at: Date): void {
    for (const child of this.children(row.id)) this.trash(child, at);
    this.#live.delete(slot(row.parentId, row.nameKey));
    row.trashedAt = at;
  }

  #adopt(row: FileRow): void {
    const kids = this.#kids.get(row.parentId) ?? new Set<string>();
    kids.add(row.id);
    this.#kids.set(row.parentId, kids);
  }

  #claim(row: FileRow): void {
    const key = slot(row.parentId, row.nameKey);
    if (this.#live.has(key)) throw new Error(`model bug: '${row.name}' is taken in ${row.parentId ?? 'the root'}`);
    this.#live.set(key, row.id);
  }
}

function slot(parentId: FolderId, key: string): string {
  return `${parentId ?? ''}/${key}`;
}
