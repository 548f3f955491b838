/**
 * The agent's picture of the remote folder: relative path → {id, rev, contentHash, size}. Built
 * by listing the tree (at the first start and after a journal `reset`; a restart loads the one
 * state.ts stored with its cursor), then kept current by applying
 * every journal entry in order — this device's own too. Nothing else writes it: after each of
 * its own changes the agent reads the journal again (follower.ts catchUp), so the picture is
 * always the server's tree as of one journal position, never a guess about what an answer meant.
 */
import { MAX_LIST_BATCH_FOLDERS, type ChangeEntry, type FileView } from '@coffer/protocol';
import { ApiError } from '../api/errors.js';
import type { SyncApi } from './sync-api.js';
import { isWithinRel } from './local-fs.js';

export interface RemoteEntry {
  isDir: boolean;
  id: string;
  rev: number;
  contentHash: string | null;
  size: number;
  mtimeMs: number;
  /** A small version's block list and modification time, when its journal entry carried them (issue 21):
   *  its blocks are fetched without asking for the list. Not kept across restarts. */
  listed?: ListedVersion;
}

export interface ListedVersion {
  blocks: { hash: string; size: number }[];
  modifiedAt: string;
}

export function fromView(v: FileView): RemoteEntry {
  return { isDir: v.isDir, id: v.id, rev: v.rev, contentHash: v.contentHash, size: v.size, mtimeMs: Date.parse(v.modifiedAt) };
}

/**
 * Path → entry with an index by id (journal entries name files and folders by id). It records
 * which paths changed since `takeChanges` was last called, so that the state store writes only
 * those rows (state.ts saveRemote).
 */
export class RemoteTree {
  private readonly byPath = new Map<string, RemoteEntry>();
  private readonly byId = new Map<string, string>();
  private touched = new Set<string>();
  private cleared = false;

  get size(): number {
    return this.byPath.size;
  }
  get(path: string): RemoteEntry | undefined {
    return this.byPath.get(path);
  }
  has(path: string): boolean {
    return this.byPath.has(path);
  }
  pathOf(id: string): string | undefined {
    return this.byId.get(id);
  }
  paths(): IterableIterator<string> {
    return this.byPath.keys();
  }
  entries(): IterableIterator<[string, RemoteEntry]> {
    return this.byPath.entries();
  }
  set(path: string, e: RemoteEntry): void {
    const old = this.byPath.get(path);
    if (old && old.id !== e.id && this.byId.get(old.id) === path) this.byId.delete(old.id);
    const was = this.byId.get(e.id);
    if (was !== undefined && was !== path) this.remove(was);
    this.byPath.set(path, e);
    this.byId.set(e.id, path);
    this.touch(path);
  }
  clear(): void {
    this.byPath.clear();
    this.byId.clear();
    this.touched.clear();
    this.cleared = true;
  }
  /** The paths set or removed since the last call (`cleared`: everything, after a `clear`). */
  takeChanges(): { cleared: boolean; paths: string[] } {
    const out = { cleared: this.cleared, paths: [...this.touched] };
    this.touched = new Set();
    this.cleared = false;
    return out;
  }
  private touch(path: string): void {
    if (!this.cleared) this.touched.add(path);
  }
  private remove(path: string): void {
    this.byPath.delete(path);
    this.touch(path);
  }
  /** Every path equal to `path` or under it. */
  under(path: string): string[] {
    return [...this.byPath.keys()].filter((k) => isWithinRel(k, path));
  }
  /** Something lives below `path`. */
  hasChildren(path: string): boolean {
    for (const k of this.byPath.keys()) if (k.startsWith(path + '/')) return true;
    return false;
  }
  removeTree(path: string): void {
    for (const k of this.under(path)) {
      const e = this.byPath.get(k)!;
      this.remove(k);
      if (this.byId.get(e.id) === k) this.byId.delete(e.id);
    }
  }
  renameTree(from: string, to: string): void {
    const moved = this.under(from).map((k) => [k, this.byPath.get(k)!] as const);
    this.removeTree(from);
    for (const [k, v] of moved) this.set(to + k.slice(from.length), v);
  }
}

/** `/remote/a/b` → `a/b` when under the root, else undefined. */
export function relOf(remoteRoot: string, path: string): string | undefined {
  if (remoteRoot === '/') return path.length > 1 ? path.slice(1) : undefined;
  const lower = path.toLowerCase();
  const rootLower = remoteRoot.toLowerCase();
  return lower.startsWith(rootLower + '/') ? path.slice(remoteRoot.length + 1) : undefined;
}

export function absOf(remoteRoot: string, rel: string): string {
  return remoteRoot === '/' ? `/${rel}` : `${remoteRoot}/${rel}`;
}

/** A file whose first upload is still in progress: no content anywhere yet. */
export function isUnborn(v: { isDir: boolean; rev: number }): boolean {
  return !v.isDir && v.rev === 0;
}

/** Folders listed at once: a tree of ~100 folders cost a round trip each, one after the other (issue 20). */
const LISTS_IN_FLIGHT = 8;

/** APIs whose server has no POST /list/batch (older): a request per folder from then on. */
const noListBatch = new WeakSet<SyncApi>();

/**
 * The whole remote tree under the root (breadth first, every page of every folder): a level at
 * a time in POST /list/batch requests of up to MAX_LIST_BATCH_FOLDERS folders where the server
 * has it, else up to LISTS_IN_FLIGHT folders' GET /list at once. Either way the answers are taken
 * in the breadth-first order, so the picture is built exactly as one request at a time built it.
 */
export async function listRemote(api: SyncApi, remoteRoot: string, into: RemoteTree): Promise<void> {
  if (api.listBatch && !noListBatch.has(api)) {
    try {
      await listInBatches(api, remoteRoot, into);
      return;
    } catch (err) {
      if (!(err instanceof ApiError && (err.status === 404 || err.status === 405))) throw err;
      noListBatch.add(api);
    }
  }
  into.clear();
  const dirs = [remoteRoot];
  const asked: Promise<FileView[]>[] = [];
  for (let done = 0; done < dirs.length; done++) {
    while (asked.length < dirs.length && asked.length - done < LISTS_IN_FLIGHT) {
      const p = api.list(dirs[asked.length]!);
      p.catch(() => undefined); // taken in its turn below; a failure ahead must not go unhandled meanwhile
      asked.push(p);
    }
    for (const v of await asked[done]!) takeListed(into, remoteRoot, v, dirs);
  }
}

async function listInBatches(api: SyncApi, remoteRoot: string, into: RemoteTree): Promise<void> {
  into.clear();
  const dirs = [remoteRoot];
  for (let done = 0; done < dirs.length; ) {
    const chunk = dirs.slice(done, done + MAX_LIST_BATCH_FOLDERS);
    const results = await api.listBatch!(chunk);
    if (results.length !== chunk.length) throw new Error(`POST /list/batch answered ${results.length} folders for ${chunk.length}`);
    for (const [i, r] of results.entries()) {
      // A refusal is asked again alone (GET /list throws it as before); a folder past one page is listed whole.
      const entries = r.ok && r.cursor === undefined ? r.entries : await api.list(chunk[i]!);
      for (const v of entries) takeListed(into, remoteRoot, v, dirs);
    }
    done += chunk.length;
  }
}

/** One listed entry into the picture; a folder's path joins the ones still to list. */
function takeListed(into: RemoteTree, remoteRoot: string, v: FileView, dirs: string[]): void {
  const rel = relOf(remoteRoot, v.path);
  // Only a first upload in progress is left out: a file with content stays in the picture
  // while another upload to it runs (leaving it out would look like a delete).
  if (rel === undefined || isUnborn(v)) return;
  into.set(rel, fromView(v));
  if (v.isDir) dirs.push(v.path);
}

/**
 * Where an entry is now, relative to the root: from its path when the entry recorded one,
 * else from its folder's id and its name (creates and updates record only those).
 */
function whereNow(tree: RemoteTree, root: { path: string; id: string }, e: ChangeEntry): string | undefined {
  if (e.path !== undefined) return relOf(root.path, e.path);
  if (e.parentId === undefined) return undefined;
  if (e.parentId === root.id || (root.path === '/' && e.parentId === null)) return e.name;
  const parent = e.parentId === null ? undefined : tree.pathOf(e.parentId);
  if (parent === undefined || !tree.get(parent)?.isDir) return undefined; // a folder outside the root
  return `${parent}/${e.name}`;
}

/**
 * Apply one journal entry to the picture. Returns 'relist' when the entry cannot be applied
 * from its own fields (a folder restored or moved in brings back children it does not list).
 */
export function applyChange(tree: RemoteTree, root: { path: string; id: string }, e: ChangeEntry): 'ok' | 'relist' {
  switch (e.op) {
    case 'create':
    case 'update':
    case 'restore':
    case 'mkdir': {
      if (!e.fileId) return 'ok';
      if (e.op === 'restore' && e.isDir) return 'relist';
      const rel = whereNow(tree, root, e);
      if (rel === undefined) {
        tree.removeTree(tree.pathOf(e.fileId) ?? '\0'); // now outside the root
        return 'ok';
      }
      const isDir = e.isDir ?? e.op === 'mkdir';
      const old = tree.get(rel);
      if (old && old.id !== e.fileId) tree.removeTree(rel); // replaced (the journal moved or deleted the other first)
      const listed = e.blocks && e.modifiedAt !== undefined ? { listed: { blocks: e.blocks, modifiedAt: e.modifiedAt } } : {};
      tree.set(rel, { isDir, id: e.fileId, rev: e.rev ?? 0, contentHash: e.contentHash ?? null, size: e.size ?? 0, mtimeMs: Date.parse(e.at), ...listed });
      return 'ok';
    }
    case 'delete':
    case 'purge': {
      const old = e.fileId ? tree.pathOf(e.fileId) : undefined;
      if (old !== undefined) tree.removeTree(old);
      return 'ok';
    }
    case 'move': {
      const old = e.fileId ? tree.pathOf(e.fileId) : undefined;
      const rel = whereNow(tree, root, e);
      if (old !== undefined && rel !== undefined) {
        if (old !== rel) {
          const there = tree.get(rel);
          if (there && there.id !== e.fileId) tree.removeTree(rel);
          tree.renameTree(old, rel);
        }
      } else if (old !== undefined) tree.removeTree(old); // moved out of the root
      else if (rel !== undefined) return 'relist'; // moved in from elsewhere: its children are unknown
      return 'ok';
    }
    default:
      return 'ok'; // pending: no content yet
  }
}
