/**
 * What must hold after every history, once the world has settled (issue 13):
 * 1. Convergence: every device shows exactly the server's tree (paths, kinds, contents).
 * 2. Nothing a person wrote is lost: every content written and not later replaced or removed by
 *    a person (on any device) is the current content of some file.
 * 3. Nothing deleted comes back, unless a concurrent move by someone else explains it.
 * 4. The agents met no error but the network's.
 * The same checks judge the simulation (observeWorld) and the soak of real processes.
 */
import type { OpEffect } from './user-ops.js';
import { short, visible } from './user-ops.js';
import { REMOTE_ROOT, type World } from './world.js';

export interface Verdict {
  ok: boolean;
  problems: string[];
}

/** A tree as the checks see it: relative path → content (null for a folder). */
export type Tree = Map<string, string | null>;

export interface Observed {
  server: Tree;
  devices: { name: string; tree: Tree; errors: string[] }[];
  /** What people did, in order. */
  effects: OpEffect[];
  settled: boolean;
}

export function observeWorld(w: World, settled: boolean): Observed {
  const server: Tree = new Map();
  const prefix = REMOTE_ROOT + '/';
  const versions = w.model.allVersions();
  for (const [path, e] of w.model.liveTree()) {
    if (!path.startsWith(prefix)) continue;
    const rel = path.slice(prefix.length);
    if (e.isDir) {
      server.set(rel, null);
      continue;
    }
    const v = versions.find((x) => x.fileId === e.id && x.rev === e.rev);
    server.set(rel, v ? w.model.contentOf(v).toString('utf8') : '<no version>');
  }
  const devices = w.devices.map((d) => ({
    name: `dev${d.index}`,
    tree: new Map(visible(d.disk).map((e) => [e.path, e.kind === 'dir' ? null : e.content!] as const)),
    errors: d.unexpected,
  }));
  return { server, devices, effects: w.effects, settled };
}

export function check(o: Observed): Verdict {
  const problems: string[] = [];
  if (!o.settled) problems.push('the world never settled (an agent kept working: a livelock)');
  const show = (c: string | null | undefined) => (c === null ? '/' : ` (${short(String(c))})`);

  for (const d of o.devices) {
    for (const [p, c] of o.server) {
      if (!d.tree.has(p)) problems.push(`${d.name} lacks ${p}${show(c)}`);
      else if (d.tree.get(p) !== c) problems.push(`${d.name} has ${p}${show(d.tree.get(p))}, the server${show(c)}`);
    }
    for (const [p, c] of d.tree) if (!o.server.has(p)) problems.push(`${d.name} has ${p}${show(c)}, the server does not`);
    for (const u of d.errors) problems.push(`${d.name} error: ${u.split('\n').slice(0, 4).join(' | ')}`);
  }

  const current = new Set([...o.server.values()].filter((c): c is string => c !== null));
  const superseded = new Map<string, 'edit' | 'delete'>();
  const moved = new Set<string>();
  for (const e of o.effects) {
    for (const s of e.superseded) if (superseded.get(s.content) !== 'edit') superseded.set(s.content, s.by);
    for (const m of e.moved) moved.add(m);
  }
  for (const e of o.effects) {
    for (const c of e.written) if (!superseded.has(c) && !current.has(c)) problems.push(`lost: ${short(c)} (written: ${e.line})`);
  }
  // Contents written more than once (empty files, equal bytes): each copy is a file of its own,
  // and must stay one unless a person replaced or removed it. Checked by count where no merge is
  // possible: every copy written by one device's person and none moved (two copies can then
  // never meet at one path, where syncing would rightly make them one file).
  const copies = countOf(o.effects.flatMap((e) => e.written));
  const gone = countOf(o.effects.flatMap((e) => e.superseded.map((s) => s.content)));
  const live = countOf([...o.server.values()].filter((c): c is string => c !== null));
  for (const [c, n] of copies) {
    if (n < 2 || moved.has(c)) continue;
    const writers = new Set(o.effects.filter((e) => e.written.includes(c)).map((e) => e.device));
    if (writers.size !== 1 || writers.has(undefined)) continue;
    const want = n - (gone.get(c) ?? 0);
    if ((live.get(c) ?? 0) < want) problems.push(`lost: ${want - (live.get(c) ?? 0)} of ${want} files holding ${c === '' ? "''" : short(c)} (the server has ${live.get(c) ?? 0})`);
  }
  for (const [c, by] of superseded) {
    if (by === 'delete' && current.has(c) && !moved.has(c) && (copies.get(c) ?? 0) < 2) problems.push(`came back after a delete: ${short(c)}`);
  }
  return { ok: problems.length === 0, problems };
}

function countOf(xs: readonly string[]): Map<string, number> {
  const n = new Map<string, number>();
  for (const x of xs) n.set(x, (n.get(x) ?? 0) + 1);
  return n;
}
