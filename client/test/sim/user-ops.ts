/**
 * What a person does to a synced folder, applied atomically to one device's VirtualDisk at one
 * instant of the history. Operations name their targets by index into the folder's current
 * contents (modulo their count), so every generated operation stays meaningful whatever came
 * before it — and a shrunk history is still a valid one. Each operation reports the contents it
 * destroyed (an edit or a delete by a person: those may go) and moved, for the checks.
 */
/** The part of a disk a person's operations use: the simulation's VirtualDisk, or a real folder (the soak). */
export interface UserDisk {
  readdirSafe(rel: string): string[];
  stat(rel: string): { kind: 'file' | 'dir' } | undefined;
  writeFile(rel: string, bytes: Uint8Array): void;
  rename(from: string, to: string): void;
  mkdir(rel: string): void;
  unlink(rel: string): void;
  removeTree(rel: string): void;
  /** Every path below the root, parents first. */
  walk(): { path: string; kind: 'file' | 'dir'; bytes?: Uint8Array }[];
}

export type UserOpKind = 'create' | 'burst' | 'write' | 'save-via-temp' | 'rename' | 'move' | 'case' | 'mkdir' | 'delete' | 'rmdir';

export interface UserOp {
  kind: UserOpKind;
  /** Which item (file or folder, by the op's kind) the op acts on. */
  a: number;
  /** A second choice: a name from the pool, or a destination folder. */
  b: number;
  /** Size of new content. */
  size: number;
}

export const FILE_NAMES = ['a.txt', 'b.txt', 'notes.md', 'c', 'Report.doc'];
export const DIR_NAMES = ['x', 'y', 'docs', 'Photos'];

export interface OpEffect {
  /** A human-readable line for the history's log. */
  line: string;
  /** Contents a person wrote now. */
  written: string[];
  /** Contents a person replaced (edit) or removed (delete) now. */
  superseded: { content: string; by: 'edit' | 'delete' }[];
  /** Contents a person moved or renamed now. */
  moved: string[];
  /** The device whose person did it. */
  device?: number;
}

const IGNORED = /(^|\/)(\.coffer(\/|$))|\.tmp$|~$|\.swp$/;

/** The user-visible tree of a disk: what a person sees and what must converge (not .coffer, not ignored temp files). */
export function visible(disk: UserDisk): { path: string; kind: 'file' | 'dir'; content?: string }[] {
  return disk
    .walk()
    .filter((e) => !IGNORED.test(e.path))
    .map((e) => (e.kind === 'file' ? { path: e.path, kind: e.kind, content: new TextDecoder().decode(e.bytes) } : { path: e.path, kind: e.kind }));
}

export class ContentSource {
  private n = 0;
  /** A unique content of about `size` bytes: its tag, then seeded pseudo-random text (so a big one is cut into several chunks). */
  next(device: number, size: number): string {
    const tag = `v${++this.n}@d${device}`;
    let x = (this.n * 2654435761) >>> 0 || 1;
    const fill: string[] = [];
    for (let i = tag.length + 1; i < size; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      fill.push(String.fromCharCode(97 + ((x >>> 0) % 26)));
    }
    return fill.length ? `${tag} ${fill.join('')}` : tag;
  }
}

/** Shown in logs and problems: the tag without a big file's padding. */
export function short(c: string): string {
  const i = c.indexOf(' ');
  return i < 0 ? c : `${c.slice(0, i)}…`;
}

function nameOf(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}
function dirOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}
function join(dir: string, name: string): string {
  return dir ? `${dir}/${name}` : name;
}

export function applyUserOp(disk: UserDisk, device: number, op: UserOp, contents: ContentSource): OpEffect | undefined {
  const all = visible(disk);
  const files = all.filter((e) => e.kind === 'file');
  const dirs = all.filter((e) => e.kind === 'dir');
  const folders = ['', ...dirs.map((d) => d.path)];
  const pick = <T>(xs: T[], i: number): T | undefined => (xs.length ? xs[i % xs.length] : undefined);
  /** Taken in `dir`, case-insensitively (a person on macOS or Windows cannot make both). */
  const taken = (dir: string, name: string, self?: string) =>
    disk.readdirSafe(dir).some((n) => n.toLowerCase() === name.toLowerCase() && join(dir, n) !== self);
  const under = (p: string) => all.filter((e) => e.kind === 'file' && (e.path === p || e.path.startsWith(p + '/'))).map((e) => e.content!);
  const effect = (line: string, e: Partial<OpEffect> = {}): OpEffect => ({ line, written: [], superseded: [], moved: [], device, ...e });

  switch (op.kind) {
    case 'create': {
      const dir = pick(folders, op.a)!;
      const name = FILE_NAMES[op.b % FILE_NAMES.length]!;
      if (taken(dir, name)) return undefined;
      const c = contents.next(device, op.size);
      disk.writeFile(join(dir, name), new TextEncoder().encode(c));
      return effect(`create ${join(dir, name)} = ${short(c)}`, { written: [c] });
    }
    case 'burst': {
      // Several small files at once in several folders (an unpacked archive, a build's output),
      // many with the same bytes: empty files, and this device's one repeated content. They go
      // up in batches, where identical contents must not be taken for one another.
      const made: { path: string; c: string }[] = [];
      const count = 2 + (op.a % 4);
      for (let i = 0; i < count; i++) {
        const dir = pick(folders, op.a + i * 7)!;
        const name = FILE_NAMES[(op.b + i) % FILE_NAMES.length]!;
        if (taken(dir, name)) continue;
        const k = (op.b + i * (op.size % 3 === 0 ? 1 : 2)) % 4;
        const c = k === 0 ? contents.next(device, op.size) : k === 1 ? '' : `same@d${device}`;
        disk.writeFile(join(dir, name), new TextEncoder().encode(c));
        made.push({ path: join(dir, name), c });
      }
      if (made.length === 0) return undefined;
      return effect(`burst ${made.map((m) => `${m.path}=${m.c === '' ? "''" : short(m.c)}`).join(' ')}`, { written: made.map((m) => m.c) });
    }
    case 'write': {
      const f = pick(files, op.a);
      if (!f) return undefined;
      const c = contents.next(device, op.size);
      disk.writeFile(f.path, new TextEncoder().encode(c));
      return effect(`write ${f.path} = ${short(c)} (was ${short(f.content!)})`, { written: [c], superseded: [{ content: f.content!, by: 'edit' }] });
    }
    case 'save-via-temp': {
      const f = pick(files, op.a);
      if (!f) return undefined;
      const c = contents.next(device, op.size);
      const temp = `${f.path}.tmp`;
      if (disk.stat(temp)) return undefined;
      disk.writeFile(temp, new TextEncoder().encode(c));
      disk.rename(temp, f.path);
      return effect(`save-via-temp ${f.path} = ${short(c)} (was ${short(f.content!)})`, { written: [c], superseded: [{ content: f.content!, by: 'edit' }] });
    }
    case 'rename':
    case 'case':
    case 'move': {
      const it = pick(all, op.a);
      if (!it) return undefined;
      let to: string;
      if (op.kind === 'rename') {
        const pool = it.kind === 'file' ? FILE_NAMES : DIR_NAMES;
        to = join(dirOf(it.path), pool[op.b % pool.length]!);
      } else if (op.kind === 'case') {
        const n = nameOf(it.path);
        const flipped = n === n.toLowerCase() ? n.toUpperCase() : n.toLowerCase();
        to = join(dirOf(it.path), flipped);
      } else {
        const dest = pick(folders, op.b)!;
        if (it.kind === 'dir' && (dest === it.path || dest.startsWith(it.path + '/'))) return undefined;
        to = join(dest, nameOf(it.path));
      }
      if (to === it.path || taken(dirOf(to), nameOf(to), it.path)) return undefined;
      disk.rename(it.path, to);
      return effect(`${op.kind} ${it.path} -> ${to}`, { moved: under(it.path) });
    }
    case 'mkdir': {
      const dir = pick(folders, op.a)!;
      const name = DIR_NAMES[op.b % DIR_NAMES.length]!;
      if (taken(dir, name)) return undefined;
      disk.mkdir(join(dir, name));
      return effect(`mkdir ${join(dir, name)}`);
    }
    case 'delete': {
      const f = pick(files, op.a);
      if (!f) return undefined;
      disk.unlink(f.path);
      return effect(`delete ${f.path} (${short(f.content!)})`, { superseded: [{ content: f.content!, by: 'delete' }] });
    }
    case 'rmdir': {
      const d = pick(dirs, op.a);
      if (!d) return undefined;
      const gone = under(d.path);
      disk.removeTree(d.path);
      return effect(`rmdir ${d.path} (${gone.map(short).join(', ') || 'empty'})`, { superseded: gone.map((content) => ({ content, by: 'delete' as const })) });
    }
  }
}
