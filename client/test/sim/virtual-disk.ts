/**
 * A POSIX-like file system in memory, for one simulated device: folders, files with inodes and
 * hard links, mtimes from the virtual clock, and the error codes node would give (ENOENT,
 * EEXIST, ENOTEMPTY, ENOTDIR, EISDIR, EINVAL). Case-sensitive, like Linux. Open files refer to
 * their inode, so a file replaced by rename keeps serving its old bytes to a reader, as on disk.
 *
 * Each method is one atomic step; the simulation decides when each step happens.
 */
import { fsError } from '../../src/sync/local-fs.js';

interface DirNode {
  kind: 'dir';
  ino: number;
  children: Map<string, number>;
  mtimeMs: number;
}

interface FileNode {
  kind: 'file';
  ino: number;
  bytes: Uint8Array;
  mtimeMs: number;
  links: number;
}

type Node = DirNode | FileNode;

export interface DiskStat {
  kind: 'file' | 'dir';
  ino: number;
  size: number;
  mtimeMs: number;
}

export class VirtualDisk {
  private readonly nodes = new Map<number, Node>();
  private nextIno = 2;
  private lastMtime = 0;
  /** Called after every change with the changed path (what fs.watch would report). */
  onChange: ((rel: string) => void) | undefined;

  constructor(private readonly now: () => number) {
    this.nodes.set(1, { kind: 'dir', ino: 1, children: new Map(), mtimeMs: 0 });
  }

  /** A modification time: the clock's, but strictly later than any given before (so every write is seen). */
  private stamp(): number {
    this.lastMtime = Math.max(this.now(), this.lastMtime + 1);
    return this.lastMtime;
  }

  private split(rel: string): string[] {
    if (rel === '') return [];
    const parts = rel.split('/');
    if (parts.some((p) => p === '' || p === '.' || p === '..')) throw fsError('EINVAL', rel);
    return parts;
  }

  private lookup(rel: string): Node | undefined {
    let n: Node = this.nodes.get(1)!;
    for (const part of this.split(rel)) {
      if (n.kind !== 'dir') return undefined;
      const next = n.children.get(part);
      if (next === undefined) return undefined;
      n = this.nodes.get(next)!;
    }
    return n;
  }

  /** The folder that holds `rel` and the name in it. */
  private parentOf(rel: string): { dir: DirNode; name: string } {
    const parts = this.split(rel);
    const name = parts.pop();
    if (name === undefined) throw fsError('EINVAL', 'the root');
    const dir = this.lookup(parts.join('/'));
    if (!dir) throw fsError('ENOENT', rel);
    if (dir.kind !== 'dir') throw fsError('ENOTDIR', rel);
    return { dir, name };
  }

  private touched(dir: DirNode, rel: string): void {
    dir.mtimeMs = this.stamp();
    this.onChange?.(rel);
  }

  private detach(dir: DirNode, name: string): void {
    const ino = dir.children.get(name)!;
    dir.children.delete(name);
    const n = this.nodes.get(ino)!;
    if (n.kind === 'file' && --n.links > 0) return;
    // Unreachable now; an open reader keeps its own reference to the node (see openRead).
    this.nodes.delete(ino);
  }

  readdir(rel: string): string[] {
    const n = this.lookup(rel);
    if (!n) throw fsError('ENOENT', rel);
    if (n.kind !== 'dir') throw fsError('ENOTDIR', rel);
    return [...n.children.keys()];
  }

  /** The names in a folder, or none when it is not one. */
  readdirSafe(rel: string): string[] {
    try {
      return this.readdir(rel);
    } catch {
      return [];
    }
  }

  stat(rel: string): DiskStat | undefined {
    let n: Node | undefined;
    try {
      n = this.lookup(rel);
    } catch {
      return undefined;
    }
    if (!n) return undefined;
    return { kind: n.kind, ino: n.ino, size: n.kind === 'file' ? n.bytes.byteLength : 0, mtimeMs: n.mtimeMs };
  }

  mkdir(rel: string): void {
    const { dir, name } = this.parentOf(rel);
    if (dir.children.has(name)) throw fsError('EEXIST', rel);
    const ino = this.nextIno++;
    this.nodes.set(ino, { kind: 'dir', ino, children: new Map(), mtimeMs: this.stamp() });
    dir.children.set(name, ino);
    this.touched(dir, rel);
  }

  rmdir(rel: string): void {
    const { dir, name } = this.parentOf(rel);
    const ino = dir.children.get(name);
    if (ino === undefined) throw fsError('ENOENT', rel);
    const n = this.nodes.get(ino)!;
    if (n.kind !== 'dir') throw fsError('ENOTDIR', rel);
    if (n.children.size > 0) throw fsError('ENOTEMPTY', rel);
    this.detach(dir, name);
    this.touched(dir, rel);
  }

  unlink(rel: string): void {
    const { dir, name } = this.parentOf(rel);
    const ino = dir.children.get(name);
    if (ino === undefined) throw fsError('ENOENT', rel);
    if (this.nodes.get(ino)!.kind === 'dir') throw fsError('EISDIR', rel);
    this.detach(dir, name);
    this.touched(dir, rel);
  }

  private isWithin(ino: number, ancestor: number): boolean {
    if (ino === ancestor) return true;
    const n = this.nodes.get(ancestor);
    if (!n || n.kind !== 'dir') return false;
    for (const c of n.children.values()) if (this.isWithin(ino, c)) return true;
    return false;
  }

  /** POSIX rename(2): replaces a file, or an empty folder with a folder. */
  rename(from: string, to: string): void {
    const a = this.parentOf(from);
    const ino = a.dir.children.get(a.name);
    if (ino === undefined) throw fsError('ENOENT', from);
    const b = this.parentOf(to);
    const n = this.nodes.get(ino)!;
    if (n.kind === 'dir' && this.isWithin(b.dir.ino, ino)) throw fsError('EINVAL', `${from} into itself`);
    const there = b.dir.children.get(b.name);
    if (there === ino) return;
    if (there !== undefined) {
      const t = this.nodes.get(there)!;
      if (n.kind === 'dir' && t.kind !== 'dir') throw fsError('ENOTDIR', to);
      if (n.kind !== 'dir' && t.kind === 'dir') throw fsError('EISDIR', to);
      if (t.kind === 'dir' && t.children.size > 0) throw fsError('ENOTEMPTY', to);
      this.detach(b.dir, b.name);
    }
    a.dir.children.delete(a.name);
    b.dir.children.set(b.name, ino);
    this.touched(a.dir, from);
    this.touched(b.dir, to);
  }

  /** rename that never replaces: EEXIST when `to` exists (renameat2 RENAME_NOREPLACE). */
  renameNoReplace(from: string, to: string): void {
    if (this.lookup(from) === undefined) throw fsError('ENOENT', from);
    const b = this.parentOf(to);
    if (b.dir.children.has(b.name)) throw fsError('EEXIST', to);
    this.rename(from, to);
  }

  link(from: string, to: string): void {
    const n = this.lookup(from);
    if (!n) throw fsError('ENOENT', from);
    if (n.kind === 'dir') throw fsError('EPERM', from);
    const b = this.parentOf(to);
    if (b.dir.children.has(b.name)) throw fsError('EEXIST', to);
    n.links++;
    b.dir.children.set(b.name, n.ino);
    this.touched(b.dir, to);
  }

  utimes(rel: string, mtimeMs: number): void {
    const n = this.lookup(rel);
    if (!n) throw fsError('ENOENT', rel);
    n.mtimeMs = Math.round(mtimeMs);
    this.onChange?.(rel);
  }

  /** The file's node for reading; reads see its bytes as they are when each read happens. */
  openRead(rel: string): { ino: number; node: () => FileNode } {
    const n = this.lookup(rel);
    if (!n) throw fsError('ENOENT', rel);
    if (n.kind !== 'file') throw fsError('EISDIR', rel);
    return { ino: n.ino, node: () => n };
  }

  /** A new empty file; EEXIST when the name is taken. */
  create(rel: string): FileNode {
    const { dir, name } = this.parentOf(rel);
    if (dir.children.has(name)) throw fsError('EEXIST', rel);
    const ino = this.nextIno++;
    const n: FileNode = { kind: 'file', ino, bytes: new Uint8Array(0), mtimeMs: this.stamp(), links: 1 };
    this.nodes.set(ino, n);
    dir.children.set(name, ino);
    this.touched(dir, rel);
    return n;
  }

  /** Append to an open file (a write handle). */
  append(n: FileNode, bytes: Uint8Array, rel: string): void {
    const out = new Uint8Array(n.bytes.byteLength + bytes.byteLength);
    out.set(n.bytes, 0);
    out.set(bytes, n.bytes.byteLength);
    n.bytes = out;
    n.mtimeMs = this.stamp();
    this.onChange?.(rel);
  }

  readFile(rel: string): Uint8Array | undefined {
    const n = this.lookup(rel);
    if (!n) return undefined;
    if (n.kind !== 'file') throw fsError('EISDIR', rel);
    return n.bytes;
  }

  /** Write a whole file in place (same inode when it exists: an editor saving in place), or create it. */
  writeFile(rel: string, bytes: Uint8Array): void {
    const n = this.lookup(rel);
    if (n && n.kind === 'dir') throw fsError('EISDIR', rel);
    if (n) {
      n.bytes = bytes;
      n.mtimeMs = this.stamp();
      this.onChange?.(rel);
      return;
    }
    const f = this.create(rel);
    f.bytes = bytes;
  }

  /** mkdir -p of `rel`'s folders. */
  mkdirs(rel: string): void {
    const parts = this.split(rel);
    for (let i = 1; i <= parts.length; i++) {
      const p = parts.slice(0, i).join('/');
      const n = this.lookup(p);
      if (!n) this.mkdir(p);
      else if (n.kind !== 'dir') throw fsError('ENOTDIR', p);
    }
  }

  /** rm -r. */
  removeTree(rel: string): void {
    const n = this.lookup(rel);
    if (!n) throw fsError('ENOENT', rel);
    if (n.kind === 'dir') for (const name of [...n.children.keys()]) this.removeTree(`${rel}/${name}`);
    if (n.kind === 'dir') this.rmdir(rel);
    else this.unlink(rel);
  }

  /** Every path below `rel` (folders and files), parents first, with its node kind and (files) bytes. */
  walk(rel = ''): { path: string; kind: 'file' | 'dir'; bytes?: Uint8Array; ino: number }[] {
    const out: { path: string; kind: 'file' | 'dir'; bytes?: Uint8Array; ino: number }[] = [];
    const visit = (dirRel: string, d: DirNode) => {
      for (const [name, ino] of [...d.children].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
        const path = dirRel ? `${dirRel}/${name}` : name;
        const n = this.nodes.get(ino)!;
        out.push(n.kind === 'file' ? { path, kind: 'file', bytes: n.bytes, ino } : { path, kind: 'dir', ino });
        if (n.kind === 'dir') visit(path, n);
      }
    };
    const start = this.lookup(rel);
    if (start?.kind === 'dir') visit(rel, start);
    return out;
  }
}
