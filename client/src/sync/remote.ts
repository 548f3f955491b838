/**
 * The agent's picture of the remote folder: relative path → {id, rev, contentHash, size}. Built
 * by listing the tree (at start and after a journal `reset`), then kept current by applying
 * journal entries (GET /changes) instead of listing again.
 */
import type { CofferApi } from '../api/client.js';
import type { ChangeEntry, FileView } from '../api/types.js';

export interface RemoteEntry {
  isDir: boolean;
  id: string;
  rev: number;
  contentHash: string | null;
  size: number;
  mtimeMs: number;
}

export type RemoteTree = Map<string, RemoteEntry>;

export function fromView(v: FileView): RemoteEntry {
  return { isDir: v.isDir, id: v.id, rev: v.rev, contentHash: v.contentHash, size: v.size, mtimeMs: Date.parse(v.modifiedAt) };
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

/** The whole remote tree under the root (breadth first, every page of every folder). */
export async function listRemote(api: CofferApi, remoteRoot: string): Promise<RemoteTree> {
  const tree: RemoteTree = new Map();
  const queue = [remoteRoot];
  while (queue.length) {
    const dir = queue.shift()!;
    for (const v of await api.list(dir)) {
      const rel = relOf(remoteRoot, v.path);
      if (rel === undefined || v.pending) continue; // a first upload in progress has no content yet
      tree.set(rel, fromView(v));
      if (v.isDir) queue.push(v.path);
    }
  }
  return tree;
}

/** Every key equal to `path` or under it. */
function under(tree: Map<string, unknown>, path: string): string[] {
  return [...tree.keys()].filter((k) => k === path || k.startsWith(path + '/'));
}

export function removeTree(tree: Map<string, unknown>, path: string): void {
  for (const k of under(tree, path)) tree.delete(k);
}

export function renameTree<T>(tree: Map<string, T>, from: string, to: string): void {
  const moved = under(tree, from).map((k) => [k, tree.get(k)!] as const);
  for (const [k] of moved) tree.delete(k);
  for (const [k, v] of moved) tree.set(to + k.slice(from.length), v);
}

/**
 * Where an entry is now, relative to the root: from its path when the entry recorded one,
 * else from its folder's id and its name (creates and updates record only those).
 */
function whereNow(tree: RemoteTree, root: { path: string; id: string }, e: ChangeEntry): string | undefined {
  if (e.path !== undefined) return relOf(root.path, e.path);
  if (e.parentId === undefined) return undefined;
  if (e.parentId === root.id || (root.path === '/' && e.parentId === null)) return e.name;
  for (const [k, v] of tree) if (v.id === e.parentId && v.isDir) return `${k}/${e.name}`;
  return undefined; // a folder outside the root
}

function pathOfId(tree: RemoteTree, id: string | null): string | undefined {
  for (const [k, v] of tree) if (v.id === id) return k;
  return undefined;
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
      const rel = whereNow(tree, root, e);
      if (rel === undefined || !e.fileId) return 'ok';
      if (e.op === 'restore' && e.isDir) return 'relist';
      const old = pathOfId(tree, e.fileId);
      if (old !== undefined && old !== rel) tree.delete(old);
      const isDir = e.isDir ?? e.op === 'mkdir';
      tree.set(rel, { isDir, id: e.fileId, rev: e.rev ?? 0, contentHash: e.contentHash ?? null, size: e.size ?? 0, mtimeMs: Date.parse(e.at) });
      return 'ok';
    }
    case 'delete':
    case 'purge': {
      const old = pathOfId(tree, e.fileId);
      if (old !== undefined) removeTree(tree, old);
      return 'ok';
    }
    case 'move': {
      const old = pathOfId(tree, e.fileId);
      const rel = whereNow(tree, root, e);
      if (old !== undefined && rel !== undefined) renameTree(tree, old, rel);
      else if (old !== undefined) removeTree(tree, old); // moved out of the root
      else if (rel !== undefined) return 'relist'; // moved in from elsewhere: its children are unknown
      return 'ok';
    }
    default:
      return 'ok'; // pending: no content yet
  }
}
