/**
 * A sync pass's decisions (reconcile.ts runs them after moves and case alignment): a three-way comparison of the local tree, the remote picture and the base (the
 * last state both agreed on) for every path, after moves are replayed, in three phases: folders
 * and clashes of kind (parents first), files, then folders deleted on one side (children first).
 *
 * The rules that keep everyone's work:
 * - A side "changed" when it differs from the base: locally by inode/size/mtime (a touch or an
 *   identical save is recognised by content hash), remotely by id/revision.
 * - A change beats a delete; two changes that differ make a conflicted copy; nothing is deleted
 *   or overwritten on inference: a remote delete is applied only to a local file still exactly
 *   as synced, a local delete only after two complete scans in a row miss the file, and every
 *   remote step is conditional on the revision or id this device last saw.
 */
import { batchApi } from '../transfer/batch-upload.js';
import { deleteRemote, download, ensureRemoteDir, forget, localHash, record, upload, type StepResult } from './actions.js';
import type { SyncContext } from './context.js';
import { prefetchFor } from './download-prefetch.js';
import { isReadOnly } from './read-only.js';
import { makeRemoteDirsAhead } from './remote-dirs.js';
import { isWithinRel, sortedByDepth } from './local-fs.js';
import type { RemoteEntry } from './remote.js';
import type { LocalEntry, ScanResult } from './scanner.js';
import { unchanged, type BaseEntry } from './state.js';
import { UploadPipeline } from './upload-pipeline.js';
import { BigUploads } from './big-uploads.js';
import { readAheadFor } from './read-ahead.js';

/** A file modified this recently may still be being written: it waits for the next pass. Also
 *  the agent's default settle window (agent.ts): a pass the watcher starts finds the file settled. */
export const SETTLE_MS = 10;

export interface PassResult {
  /** Something is left to do (a file still being written, a step that needs the next pass). */
  again: boolean;
  collisions: string[];
}

export class Pass {
  private again = false;
  /** Base paths this scan misses: confirmed deletions when the previous scan missed them too. */
  private readonly absent = new Set<string>();

  constructor(
    private readonly ctx: SyncContext,
    private readonly scan: ScanResult,
  ) {}

  async run(): Promise<PassResult> {
    const { ctx, scan } = this;
    const local = scan.tree;
    const all = new Set<string>(local.keys());
    for (const [p, b] of ctx.state.entries()) {
      if (ctx.ignore.ignoredPath(p, b.isDir)) continue; // left alone on both sides
      all.add(p);
      if (!local.has(p)) this.absent.add(p);
    }
    for (const [k, r] of ctx.remote.entries()) if (!ctx.ignore.ignoredPath(k, r.isDir)) all.add(k);
    const paths = sortedByDepth(all);

    // Folders new here go to the server a level at a time, several at once; phase 1 then finds them made.
    await makeRemoteDirsAhead(
      ctx,
      paths.filter((p) => local.get(p)?.kind === 'dir' && !ctx.remote.get(p) && !ctx.state.get(p)?.isDir && !isReadOnly(ctx, p) && !this.movePending(p)),
    );

    for (const p of paths) {
      if (this.movePending(p)) continue;
      const l = local.get(p);
      const r = ctx.remote.get(p);
      // Neither side a folder: nothing for phase 1 (and no await for each of a big tree's files).
      if (l?.kind === 'dir' || r?.isDir) this.step(await this.folderOrClash(p, l, r, ctx.state.get(p)));
    }
    // Small files' uploads go in batches, several in flight, settled as they come back (upload-pipeline.ts).
    const api = batchApi(ctx.api);
    const uploads = api ? new UploadPipeline(ctx, api) : undefined;
    ctx.uploads = uploads;
    // Files too big for a batch upload in the background, a few at once, settled likewise (big-uploads.ts).
    const bigs = new BigUploads(ctx);
    ctx.bigUploads = bigs;
    // Small files' downloads are fetched ahead in batches, a few batches before the pass reaches them.
    const downloads = prefetchFor(ctx, paths, local);
    ctx.downloads = downloads;
    // Small files changed here are read a few at once ahead of the pass (read-ahead.ts).
    const reads = ctx.faults.size === 0 ? readAheadFor(ctx, paths, local) : undefined;
    ctx.readAhead = reads;
    try {
      for (const [pos, p] of paths.entries()) {
        downloads?.reach(pos);
        reads?.reach(pos);
        const l = local.get(p);
        const r = ctx.remote.get(p);
        const b = ctx.state.get(p);
        if (l?.kind === 'dir' || r?.isDir || (b?.isDir && !(l && r))) continue;
        if (this.movePending(p)) continue;
        if (this.inSync(l, r, b)) continue; // what fileStep would find: most of a restart's paths
        this.step(await this.fileStep(p, l, r, b));
        await uploads?.settle();
        await bigs.settle();
      }
      if (uploads) this.step(await uploads.drain());
      this.step(await bigs.drain());
    } finally {
      // A pass that failed midway lets its uploads land before the next one looks (their intents say what they were).
      await uploads?.quiesce();
      await bigs.quiesce();
      ctx.bigUploads = undefined;
      await downloads?.close();
      reads?.close();
      ctx.readAhead = undefined;
      ctx.uploads = undefined;
      ctx.downloads = undefined;
    }
    for (const p of [...paths].reverse()) if (!this.movePending(p) && ctx.state.get(p)?.isDir) this.step(await this.folderGone(p));
    for (const c of scan.collisions) this.step(await this.caseConflict(c));

    await ctx.state.save();
    ctx.absentBefore = scan.complete ? this.absent : new Set();
    if (this.absent.size > 0 && !this.again) this.again = [...this.absent].some((p) => ctx.state.get(p) !== undefined);
    return { again: this.again, collisions: scan.collisions };
  }

  /**
   * `p` is the source or the target of a remote move the journal brought during this pass (each
   * step reads it again) that the next pass can replay as a move: until then `p` must not look
   * like a delete at its old path, or a new item at its new one.
   */
  private movePending(p: string): boolean {
    const { ctx } = this;
    const r = ctx.remote.get(p);
    const b = ctx.state.get(p);
    const feasible = (from: string, to: string) =>
      from !== to && !ctx.state.get(to) && this.scan.tree.has(from) && !this.scan.tree.has(to) && !ctx.ignore.ignoredPath(to, ctx.remote.get(to)?.isDir ?? false);
    let pending = false;
    if (r && b?.fileId !== r.id) {
      const from = this.basePathOf(r.id);
      // A feasible move lands here next pass; an infeasible one is decided at its old path
      // (deleted here meanwhile, or its new name taken here), which is where its base is.
      if (from !== undefined && from !== p) pending = true;
    }
    if (b) {
      const to = ctx.remote.pathOf(b.fileId);
      if (to !== undefined && feasible(p, to)) pending = true;
    }
    if (pending) this.again = true;
    return pending;
  }

  /** Where the entry the base records at `p` is remotely now, when that is elsewhere. */
  private remoteElsewhere(p: string, b: BaseEntry): string | undefined {
    const q = this.ctx.remote.pathOf(b.fileId);
    return q !== undefined && q !== p ? q : undefined;
  }

  private baseIds: Map<string, string> | undefined;
  private basePathOf(id: string): string | undefined {
    if (!this.baseIds) {
      this.baseIds = new Map();
      for (const [p, b] of this.ctx.state.entries()) this.baseIds.set(b.fileId, p);
    }
    const p = this.baseIds.get(id);
    return p !== undefined && this.ctx.state.get(p)?.fileId === id ? p : undefined;
  }

  /** A file the same here, remotely and in the base, and settled: fileStep would answer 'done' and do nothing. */
  private inSync(l: LocalEntry | undefined, r: RemoteEntry | undefined, b: BaseEntry | undefined): boolean {
    return (
      !!l && !!r && !!b && !b.isDir && unchanged(l, b) && r.id === b.fileId && r.rev === b.rev && Math.abs(this.ctx.clock.now() - l.mtimeMs) >= SETTLE_MS
    );
  }

  private step(r: StepResult | undefined): void {
    if (r === 'again') this.again = true;
  }

  private lowerLocal: Map<string, string> | undefined;
  /** Another local path equal to `p` but for case (creating `p` here would make a pair the server cannot hold). */
  private caseTwin(p: string): boolean {
    if (!this.lowerLocal) {
      this.lowerLocal = new Map();
      for (const k of this.scan.tree.keys()) this.lowerLocal.set(k.toLowerCase(), k);
    }
    const t = this.lowerLocal.get(p.toLowerCase());
    return t !== undefined && t !== p;
  }

  /** A local deletion is acted on only when this scan and the previous one, both complete, miss it. */
  private confirmedAbsent(p: string): boolean {
    return this.scan.complete && this.ctx.absentBefore.has(p);
  }

  /** Phase 1: folders new on one side, and a file on one side where the other has a folder. */
  private async folderOrClash(p: string, l: LocalEntry | undefined, r: RemoteEntry | undefined, b: BaseEntry | undefined): Promise<StepResult | undefined> {
    const { ctx } = this;
    if (l && r && (l.kind === 'dir') !== r.isDir) return this.clash(p, l, r, b);
    if (l?.kind === 'dir' && r?.isDir) {
      if (!b || !b.isDir || b.fileId !== r.id) await record(ctx, p, r, l);
      return 'done';
    }
    if (l?.kind === 'dir' && !r) {
      if (b?.isDir) return undefined; // deleted remotely: phase 3
      if (!(await ensureRemoteDir(ctx, p))) return 'again';
      await record(ctx, p, ctx.remote.get(p)!, l);
      ctx.log(`created folder remotely ${p}`);
      return 'done';
    }
    if (r?.isDir && !l) {
      if (b?.isDir && b.fileId === r.id) return undefined; // deleted locally: phase 3
      if (this.caseTwin(p)) return 'again'; // alignCase meets the two next pass
      if (!(await ctx.local.ensureDir(p))) return 'again';
      const made = await ctx.fs.lstat(p);
      if (!made) return 'again';
      await record(ctx, p, r, made);
      ctx.log(`created folder locally ${p}`);
      return 'done';
    }
    return undefined;
  }

  /** A file on one side, a folder on the other. Whatever is not known to be on the server already is kept under another name. */
  private async clash(p: string, l: LocalEntry, r: RemoteEntry, b: BaseEntry | undefined): Promise<StepResult> {
    const { ctx } = this;
    if (b && !b.isDir && l.kind === 'file' && unchanged(l, b)) {
      // Replaced by a folder remotely; the local file is the synced one: it goes.
      if (await ctx.local.removeFile(p, l)) await forget(ctx, p);
      return 'again';
    }
    if (b?.isDir && l.kind === 'dir') return 'again'; // replaced by a file remotely: phase 3 empties the folder first
    if (b && !b.isDir && l.kind === 'dir' && !r.isDir && r.id === b.fileId && r.rev === b.rev) {
      await deleteRemote(ctx, p, b); // this device replaced the synced file by a folder, which follows next pass
      return 'again';
    }
    if (b?.isDir && l.kind === 'file' && r.isDir && r.id === b.fileId) return 'again'; // this device replaced the folder by a file: phase 3
    const aside = await ctx.local.keepAside(p);
    if (aside) {
      ctx.log(`${p} is a ${r.isDir ? 'folder' : 'file'} remotely; kept this device's ${l.kind === 'dir' ? 'folder' : 'file'} as ${aside}`);
      await forget(ctx, p);
    }
    return 'again';
  }

  /** Phase 2: one file's decision. */
  private async fileStep(p: string, l: LocalEntry | undefined, r: RemoteEntry | undefined, b: BaseEntry | undefined): Promise<StepResult> {
    const { ctx } = this;
    if (l && Math.abs(ctx.clock.now() - l.mtimeMs) < SETTLE_MS) return 'again';
    if (l && r && b && !b.isDir && !unchanged(l, b) && l.size === b.size && b.contentHash) {
      // Touched, or saved with the same bytes: only the stat moved. Not when the remote file is
      // gone: then equal bytes do not make it the synced file (deleted here, the agent killed
      // mid-delete, the same bytes saved again under the name) — it is kept and uploaded again.
      // (The simulation's seed 1592590338 lost such a file as "deleted locally".)
      const h = await localHash(ctx, p);
      if (h && h.hash === b.contentHash) {
        b = { ...b, ino: h.stat.ino, mtimeMs: h.stat.mtimeMs };
        ctx.state.set(p, b);
        l = { ...l, ino: h.stat.ino, mtimeMs: h.stat.mtimeMs, size: h.stat.size };
      }
    }
    const localChanged = !!l && !unchanged(l, b);
    const remoteChanged = !!r && (!b || b.isDir || r.id !== b.fileId || r.rev !== b.rev);

    if (l && r) {
      if (!localChanged && !remoteChanged) return 'done';
      if (!localChanged) return download(ctx, p, r, l);
      if (!remoteChanged) return upload(ctx, p, b);
      // Both changed (or both new): equal content is agreement, else the server decides the conflict.
      const h = await localHash(ctx, p);
      if (!h) return 'again';
      if (h.hash === r.contentHash) {
        await record(ctx, p, r, h.stat);
        return 'done';
      }
      if (ctx.faults.has('no-conflicted-copy')) return upload(ctx, p, { ...b!, isDir: false, fileId: r.id, rev: r.rev });
      return upload(ctx, p, b && !b.isDir && b.fileId === r.id ? b : undefined);
    }
    if (l && !r) {
      if (!b || b.isDir) return upload(ctx, p, undefined);
      if (localChanged && !ctx.faults.has('delete-on-missing-remote')) {
        ctx.log(`${p} was deleted remotely but changed here: uploading it again`);
        return upload(ctx, p, undefined);
      }
      // Unchanged since synced (its content is on the server, in the trash now): it follows the delete.
      if (!(await ctx.local.removeFile(p, l))) return 'again';
      await forget(ctx, p);
      ctx.log(`deleted locally ${p}`);
      return 'done';
    }
    if (!l && r) {
      if (b && !b.isDir && !remoteChanged) return this.confirmedAbsent(p) ? deleteRemote(ctx, p, b) : 'again';
      const q = b && !b.isDir ? this.remoteElsewhere(p, b) : undefined;
      if (b && q !== undefined) {
        // Another file is at p now, and the one this device deleted lives on elsewhere (moved,
        // or kept as a conflicted copy): the delete follows it first, unless it changed there.
        if (!this.confirmedAbsent(p)) return 'again';
        if (ctx.remote.get(q)!.rev === b.rev) await deleteRemote(ctx, p, b);
        else await forget(ctx, p);
        return 'again';
      }
      if (this.caseTwin(p)) return 'again'; // alignCase meets the two next pass
      return download(ctx, p, r, undefined); // new remotely, or changed there after a delete here: the change wins
    }
    if (b && !b.isDir) {
      const q = this.remoteElsewhere(p, b);
      if (q !== undefined) {
        // Deleted here while it was moved elsewhere: the delete follows it, unless it changed there.
        if (!this.confirmedAbsent(p)) return 'again';
        if (ctx.remote.get(q)!.rev === b.rev) return deleteRemote(ctx, p, b);
      }
      await forget(ctx, p);
    }
    return 'done';
  }

  /**
   * A name that differs only in case from a synced one in its folder cannot exist on the server
   * (nor on macOS or Windows): like Dropbox, it is renamed `name (case conflict).ext` and syncs
   * under that name.
   */
  private async caseConflict(p: string): Promise<StepResult | undefined> {
    const { ctx } = this;
    if (ctx.state.get(p)) return undefined;
    const aside = await ctx.local.keepAside(p, 'case conflict');
    if (aside) ctx.log(`renamed ${p} to ${aside}: another name in its folder differs only in case`);
    return 'again';
  }

  /** Phase 3 (children first): a synced folder gone on one side. */
  private async folderGone(p: string): Promise<StepResult | undefined> {
    const { ctx } = this;
    const b = ctx.state.get(p);
    if (!b?.isDir) return undefined;
    const l = await ctx.fs.lstat(p); // live: phases 1 and 2 changed the tree
    const r = ctx.remote.get(p);
    if (!l && !r) {
      const q = this.remoteElsewhere(p, b);
      if (q !== undefined && ctx.remote.get(q)?.isDir) {
        // Deleted here while it was moved elsewhere: trashed there too, when nothing is left in it.
        if (!this.confirmedAbsent(p)) return 'again';
        if (!ctx.remote.hasChildren(q)) return deleteRemote(ctx, p, b);
      }
      await forget(ctx, p);
      return 'done';
    }
    if ((!l || l.kind === 'file') && r?.isDir && r.id === b.fileId) {
      // Deleted here (or replaced by a file): trashed remotely only when nothing is left in it there.
      if (!l && !this.confirmedAbsent(p)) return 'again';
      if (ctx.remote.hasChildren(p)) {
        await forget(ctx, p); // new or changed remote content inside: the folder comes back here
        return 'again';
      }
      return deleteRemote(ctx, p, b);
    }
    if (l?.kind === 'dir' && (!r || !r.isDir)) {
      // Deleted remotely (or replaced by a file): its synced files went in phase 2; what is left
      // is either changed here (uploaded again, which brings the folder back) or ignored.
      if (await ctx.local.removeDir(p)) {
        await forget(ctx, p);
        ctx.log(`deleted folder locally ${p}`);
        return r ? 'again' : 'done';
      }
      const busy = [...this.scan.tree.keys()].some((k) => k !== p && isWithinRel(k, p));
      if (r && !r.isDir) {
        if (busy) {
          const aside = await ctx.local.keepAside(p);
          if (aside) await forget(ctx, p);
        }
        return 'again';
      }
      if (busy) return 'again';
      return undefined; // only ignored files in it: it stays here, and is not created again remotely
    }
    if (l?.kind !== 'dir' && !r?.isDir) {
      await forget(ctx, p); // a file now where the synced folder was, on both sides: files decide next pass
      return 'again';
    }
    return undefined;
  }
}

