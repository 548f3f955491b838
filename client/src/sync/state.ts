/**
 * The sync agent's memory: the last agreed state ("base") of every path, the intents of steps
 * whose answer may be lost, and the remote picture with the journal cursor it is at — in one
 * SQLite database per sync root (`DIR/.coffer/state.db`, WAL), through `node:sqlite`.
 *
 * Why SQLite: the JSON file it replaces was rewritten whole after every step, fine to ~10^4
 * files; here a step writes its own rows. Writes go into an open transaction that `save()`
 * commits, so a SIGKILL at any instant leaves the state as of the last save — exactly what the
 * rewrite-and-rename of the JSON file gave. A crash between a step and its save is recognised on
 * restart: the base then disagrees with both sides in a way content hashes resolve (reconcile.ts).
 * WAL with synchronous=NORMAL: a commit is in the OS once `save()` returns (a killed agent keeps
 * it) but is not fsync'd; a power loss may take the last commits back, which is that same case —
 * a base older than both sides — while the files themselves are fsync'd before they are placed.
 * With synchronous=FULL, two fsyncs per downloaded file on the main thread were half of a
 * restore of small files. Reads go to the database through prepared statements, behind a
 * bounded cache of the paths read or written lately (a pass asks for each path's base several
 * times in a row). A pass holds every base in memory while it runs (`entries()`, read once in
 * bulk and kept current by its writes, until `release()`): it asks for the whole base several
 * times (moves, its own paths, ids) and for each path's base several times; at 100,000 paths
 * each bulk read cost ~0.7 s of CPU, and the bounded cache, just past its size, point reads.
 *
 * The remote picture (remote.ts) is stored after each complete pass together with its cursor
 * (`saveRemote`), only the rows that changed: a restart loads it and reads the journal from that
 * cursor instead of listing the whole tree (agent.ts). A base saved mid-pass may be newer than
 * that picture; catching up from the older cursor replays the entries in between, as every pass does.
 *
 * An existing `state.json` (the JSON state of earlier versions) is migrated on first start and
 * then renamed `state.json.bak` (kept: it is small and lets one go back to an older version).
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { fsCode, type LocalFs, type LocalStat } from './local-fs.js';
import type { RemoteEntry, RemoteTree } from './remote.js';

export interface BaseEntry {
  isDir: boolean;
  fileId: string;
  rev: number;
  contentHash: string | null;
  size: number;
  /** The local file as it was when it last matched the remote (change detection without hashing). */
  ino: number;
  mtimeMs: number;
}

/**
 * A step whose outcome may be lost, recorded before it is taken. An upload: if the commit's
 * answer never arrives (connection lost, agent killed), the next pass finds out from the remote
 * picture whether it happened (a file or a conflicted copy with this content hash) instead of
 * taking its own upload for someone else's change. A download: if the agent dies after the new
 * file took its place but before the base was saved, that revision is what this device agreed
 * to — so an edit or a delete made since is one (the temp file's absence tells it was placed).
 */
export interface Intent {
  kind: 'upload' | 'download';
  contentHash: string;
  ino: number;
  size: number;
  mtimeMs: number;
  /** Downloads: the revision written, and its temp file (still there: never put in place). */
  fileId?: string;
  rev?: number;
  temp?: string;
  /** Uploads: the journal position before the commit (its entry, if it happened, comes after). */
  cursor?: number;
}

/** The JSON state of earlier versions (migrated once). */
interface LegacyState {
  remoteRoot: string;
  entries: Record<string, BaseEntry>;
  intents?: Record<string, Intent>;
}

export const META_DIR = '.coffer';
export const STATE_DB = `${META_DIR}/state.db`;
export const LEGACY_STATE_FILE = `${META_DIR}/state.json`;

/** The local file still is what the base recorded (same inode, size and mtime). */
export function unchanged(l: LocalStat | undefined, b: BaseEntry | undefined): boolean {
  if (!l || !b) return false;
  if (b.isDir) return l.kind === 'dir';
  return l.kind === 'file' && l.ino === b.ino && l.size === b.size && l.mtimeMs === b.mtimeMs;
}

// ino and mtime as REAL: JS numbers, which an inode past 2^53 already is (and INTEGER would not read back).
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS base (path TEXT PRIMARY KEY, is_dir INTEGER NOT NULL, file_id TEXT NOT NULL, rev INTEGER NOT NULL,
  content_hash TEXT, size INTEGER NOT NULL, ino REAL NOT NULL, mtime_ms REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS intent (path TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS remote (path TEXT PRIMARY KEY, is_dir INTEGER NOT NULL, id TEXT NOT NULL, rev INTEGER NOT NULL,
  content_hash TEXT, size INTEGER NOT NULL, mtime_ms REAL NOT NULL) WITHOUT ROWID;
`;
const SCHEMA_VERSION = '2';

type Row = Record<string, unknown>;
/** A base row as an array (statements in array mode: half the CPU of a row object for a bulk read). */
type BaseRow = [string, number, string, number, string | null, number, number, number];
const baseOfRow = (r: BaseRow): BaseEntry => ({ isDir: r[1] === 1, fileId: r[2], rev: r[3], contentHash: r[4], size: r[5], ino: r[6], mtimeMs: r[7] });
const toBase = (r: Row): BaseEntry => ({
  isDir: r.is_dir === 1,
  fileId: r.file_id as string,
  rev: r.rev as number,
  contentHash: r.content_hash as string | null,
  size: r.size as number,
  ino: r.ino as number,
  mtimeMs: r.mtime_ms as number,
});
/** A remote row as an array. */
type RemoteRow = [string, number, string, number, string | null, number, number];

/** `p` and everything below it, as a range of the primary key ('/' + 1 is '0'). */
const treeRange = (p: string): [string, string, string] => [p, p + '/', p + '0'];

/** Bases kept in memory at most; past it the cache starts afresh (a pass reads path by path, so recent ones are what it asks for again). */
const CACHE_LIMIT = 100_000;

/** Where the state lives: a database file, or an open database (the simulation keeps one per device). */
export type StateLocation = string | DatabaseSync;

/** The remote picture as last saved, and the journal position it is at. */
export interface SavedRemote {
  cursor: number;
  rootId: string;
}

export class SyncState {
  private readonly q: Record<string, StatementSync>;
  /** Path → base as the open transaction sees it (null: none). */
  private readonly cache = new Map<string, BaseEntry | null>();
  /** Every base as the open transaction sees it, while a pass holds them (`entries()` until `release()`). */
  private all: Map<string, BaseEntry> | undefined;
  /** `all` as a list, until the next write. */
  private list: [string, BaseEntry][] | undefined;

  private constructor(
    private readonly db: DatabaseSync,
    private readonly owned: boolean,
  ) {
    const p = (sql: string) => db.prepare(sql);
    const arrays = (sql: string) => {
      const st = db.prepare(sql);
      st.setReturnArrays(true);
      return st;
    };
    this.q = {
      get: p('SELECT * FROM base WHERE path = ?'),
      set: p('INSERT OR REPLACE INTO base VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      del: p('DELETE FROM base WHERE path = ?'),
      delTree: p('DELETE FROM base WHERE path = ? OR (path >= ? AND path < ?)'),
      tree: p('SELECT * FROM base WHERE path = ? OR (path >= ? AND path < ?)'),
      paths: p('SELECT path FROM base'),
      all: arrays('SELECT * FROM base'),
      intent: p('SELECT body FROM intent WHERE path = ?'),
      intentPaths: p('SELECT path FROM intent'),
      setIntent: p('INSERT OR REPLACE INTO intent VALUES (?, ?)'),
      delIntent: p('DELETE FROM intent WHERE path = ?'),
      meta: p('SELECT value FROM meta WHERE key = ?'),
      setMeta: p('INSERT OR REPLACE INTO meta VALUES (?, ?)'),
      delMeta: p('DELETE FROM meta WHERE key = ?'),
      setRemote: p('INSERT OR REPLACE INTO remote VALUES (?, ?, ?, ?, ?, ?, ?)'),
      delRemote: p('DELETE FROM remote WHERE path = ?'),
      clearRemote: p('DELETE FROM remote'),
      allRemote: arrays('SELECT * FROM remote'),
    };
  }

  /**
   * Opens (making it when new) the state of the sync root `fs` for `remoteRoot`. A transaction a
   * crashed run left open in a database it shared (the simulation's) is rolled back: as a crash
   * loses what was not saved. A state kept for another remote folder says nothing about this one.
   */
  static async open(fs: LocalFs, remoteRoot: string, where: StateLocation): Promise<SyncState> {
    let db: DatabaseSync;
    if (typeof where === 'string') {
      await fs.mkdir(META_DIR).catch((err: unknown) => {
        if (fsCode(err) !== 'EEXIST') throw err;
      });
      db = new DatabaseSync(where, { timeout: 5000 });
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
    } else {
      db = where;
      if (db.isTransaction) db.exec('ROLLBACK');
    }
    db.exec(SCHEMA);
    const s = new SyncState(db, typeof where === 'string');
    const version = s.meta('version');
    if (version !== undefined && version !== SCHEMA_VERSION) throw new Error(`${STATE_DB} has version ${version}, which this agent does not know; remove it to start over`);
    if (version === undefined) await s.migrate(fs, remoteRoot);
    else if (s.meta('remoteRoot') !== remoteRoot) s.reset(remoteRoot);
    await s.save();
    return s;
  }

  /** A new database: from the JSON state when there is one, else empty. */
  private async migrate(fs: LocalFs, remoteRoot: string): Promise<void> {
    this.reset(remoteRoot);
    const raw = await fs.readFile(LEGACY_STATE_FILE);
    if (!raw) return;
    let old: LegacyState;
    try {
      old = JSON.parse(new TextDecoder().decode(raw)) as LegacyState;
    } catch (err) {
      throw new Error(`${LEGACY_STATE_FILE} is damaged (${(err as Error).message}); remove it to start over`);
    }
    if (old.remoteRoot === remoteRoot) {
      for (const [p, e] of Object.entries(old.entries ?? {})) this.set(p, e);
      for (const [p, i] of Object.entries(old.intents ?? {})) this.setIntent(p, i);
    }
    // Its cursor is not kept: the JSON had no remote picture, so the first start lists the tree.
    await this.save();
    await fs.rename(LEGACY_STATE_FILE, `${LEGACY_STATE_FILE}.bak`);
  }

  private reset(remoteRoot: string): void {
    this.begin();
    this.forgetAll();
    this.db.exec('DELETE FROM base; DELETE FROM intent; DELETE FROM remote; DELETE FROM meta;');
    this.q.setMeta!.run('version', SCHEMA_VERSION);
    this.q.setMeta!.run('remoteRoot', remoteRoot);
  }

  private begin(): void {
    if (!this.db.isTransaction) this.db.exec('BEGIN IMMEDIATE');
  }
  private meta(key: string): string | undefined {
    return (this.q.meta!.get(key) as Row | undefined)?.value as string | undefined;
  }

  get(path: string): BaseEntry | undefined {
    if (this.all) return this.all.get(path);
    let e = this.cache.get(path);
    if (e === undefined) {
      const r = this.q.get!.get(path) as Row | undefined;
      e = r ? toBase(r) : null;
      this.remember(path, e);
    }
    return e ?? undefined;
  }
  set(path: string, e: BaseEntry): void {
    this.begin();
    this.q.set!.run(path, e.isDir ? 1 : 0, e.fileId, e.rev, e.contentHash, e.size, e.ino, e.mtimeMs);
    const copy = { ...e }; // the caller may reuse its object
    this.remember(path, copy);
    if (this.all) {
      this.all.set(path, copy);
      this.list = undefined;
    }
  }
  delete(path: string): void {
    this.begin();
    this.q.del!.run(path);
    this.remember(path, null);
    if (this.all?.delete(path)) this.list = undefined;
  }
  /** Forget a path and everything under it. */
  deleteTree(path: string): void {
    this.begin();
    this.q.delTree!.run(...treeRange(path));
    this.forgetAll(); // a subtree: rare enough to start afresh
  }
  private remember(path: string, e: BaseEntry | null): void {
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(path, e);
  }
  paths(): string[] {
    return (this.q.paths!.all() as Row[]).map((r) => r.path as string);
  }
  /**
   * Every base (a pass's loops over all paths), read in one go at the first call; from then on
   * held, kept current by every write, and what `get` answers from, until `release()`. Callers
   * must not change the entries, nor write while they iterate the list.
   */
  entries(): readonly [string, BaseEntry][] {
    if (!this.all) {
      const all = new Map<string, BaseEntry>();
      for (const r of this.q.all!.iterate() as Iterable<BaseRow>) all.set(r[0], baseOfRow(r));
      this.all = all;
    }
    return (this.list ??= [...this.all]);
  }
  /** Stop holding every base (the end of a pass): reads go to the database and its bounded cache again. */
  release(): void {
    this.all = undefined;
    this.list = undefined;
  }
  private forgetAll(): void {
    this.cache.clear();
    this.release();
  }
  /** Rename a path and everything under it (a folder move); what was at the new names is replaced. */
  renamePrefix(from: string, to: string): void {
    this.begin();
    const moved = this.q.tree!.all(...treeRange(from)) as Row[];
    this.q.delTree!.run(...treeRange(from));
    this.forgetAll();
    for (const r of moved) this.set(to + (r.path as string).slice(from.length), toBase(r));
  }
  intent(path: string): Intent | undefined {
    const r = this.q.intent!.get(path) as Row | undefined;
    return r && (JSON.parse(r.body as string) as Intent);
  }
  intentPaths(): string[] {
    return (this.q.intentPaths!.all() as Row[]).map((r) => r.path as string);
  }
  setIntent(path: string, i: Intent | undefined): void {
    this.begin();
    if (i) this.q.setIntent!.run(path, JSON.stringify(i));
    else this.q.delIntent!.run(path);
  }

  /**
   * The remote picture as last saved into `into` (which must be empty and untracked), and its
   * cursor; undefined when none was (a new state, or one from before pictures were kept).
   */
  loadRemote(into: RemoteTree): SavedRemote | undefined {
    const cursor = this.meta('cursor');
    if (cursor === undefined) return undefined;
    for (const r of this.q.allRemote!.iterate() as Iterable<RemoteRow>) {
      into.set(r[0], { isDir: r[1] === 1, id: r[2], rev: r[3], contentHash: r[4], size: r[5], mtimeMs: r[6] });
    }
    into.takeChanges(); // what was just read is what is stored
    return { cursor: Number(cursor), rootId: this.meta('rootId') ?? '' };
  }

  /** Record the remote picture at `cursor` (its rows changed since the last call); committed by the next save. */
  saveRemote(cursor: number, rootId: string, tree: RemoteTree): void {
    this.begin();
    const { cleared, paths } = tree.takeChanges();
    if (cleared) {
      this.q.clearRemote!.run();
      for (const [p, e] of tree.entries()) this.putRemote(p, e);
    } else {
      for (const p of paths) {
        const e = tree.get(p);
        if (e) this.putRemote(p, e);
        else this.q.delRemote!.run(p);
      }
    }
    this.q.setMeta!.run('cursor', String(cursor));
    this.q.setMeta!.run('rootId', rootId);
  }
  private putRemote(p: string, e: RemoteEntry): void {
    this.q.setRemote!.run(p, e.isDir ? 1 : 0, e.id, e.rev, e.contentHash, e.size, e.mtimeMs);
  }
  /** Forget the stored picture (the next start lists the tree). */
  dropRemote(): void {
    this.begin();
    this.q.clearRemote!.run();
    this.q.delMeta!.run('cursor');
  }

  /** Commit what was written since the last save (kept through a crash of the agent; see the top of the file). */
  async save(): Promise<void> {
    if (!this.db.isTransaction) return;
    try {
      this.db.exec('COMMIT');
    } catch (err) {
      this.forgetAll(); // the transaction may have been rolled back: read again
      throw err;
    }
  }

  /** Close a database this state opened (one handed in stays open). Unsaved writes are dropped, as a crash would. */
  close(): void {
    if (!this.owned || !this.db.isOpen) return;
    if (this.db.isTransaction) this.db.exec('ROLLBACK');
    this.db.close();
  }
}
