/**
 * What must hold after every history, once the world has settled (issue 13):
 * 1. Convergence: every device shows exactly the server's tree (paths, kinds, contents).
 * 2. Nothing a person wrote is lost: every content written and not later replaced or removed by
 *    a person (on any device) is the current content of some file.
 * 3. Nothing deleted comes back, unless a concurrent move by someone else explains it.
 * 4. The agents met no error but the simulated network's.
 */
import { REMOTE_ROOT, type World } from './world.js';
import { visible } from './user-ops.js';

export interface Verdict {
  ok: boolean;
  problems: string[];
}

function serverTree(w: World): Map<string, string | null> {
  const out = new Map<string, string | null>();
  const prefix = REMOTE_ROOT + '/';
  const versions = w.model.allVersions();
  for (const [path, e] of w.model.liveTree()) {
    if (!path.startsWith(prefix)) continue;
    const rel = path.slice(prefix.length);
    if (e.isDir) {
      out.set(rel, null);
      continue;
    }
    const v = versions.find((x) => x.fileId === e.id && x.rev === e.rev);
    out.set(rel, v ? w.model.contentOf(v).toString('utf8') : '<no version>');
  }
  return out;
}

export function check(w: World, settled: boolean): Verdict {
  const problems: string[] = [];
  if (!settled) problems.push('the world never settled (an agent kept working: a livelock)');

  const server = serverTree(w);
  for (const d of w.devices) {
    const mine = new Map(visible(d.disk).map((e) => [e.path, e.kind === 'dir' ? null : e.content!]));
    for (const [p, c] of server) {
      if (!mine.has(p)) problems.push(`dev${d.index} lacks ${p}${c === null ? '/' : ` (${c.trim()})`}`);
      else if (mine.get(p) !== c) problems.push(`dev${d.index} has ${p} = ${String(mine.get(p)).trim()}, the server ${String(c).trim()}`);
    }
    for (const [p, c] of mine) if (!server.has(p)) problems.push(`dev${d.index} has ${p}${c === null ? '/' : ` (${c.trim()})`}, the server does not`);
    for (const u of d.unexpected) problems.push(`dev${d.index} error: ${u.split('\n').slice(0, 4).join(' | ')}`);
  }

  const current = new Set([...server.values()].filter((c): c is string => c !== null));
  const superseded = new Map<string, 'edit' | 'delete'>();
  const moved = new Set<string>();
  for (const e of w.effects) {
    for (const s of e.superseded) if (superseded.get(s.content) !== 'edit') superseded.set(s.content, s.by);
    for (const m of e.moved) moved.add(m);
  }
  for (const e of w.effects) {
    for (const c of e.written) {
      if (!superseded.has(c) && !current.has(c)) problems.push(`lost: ${c.trim()} (written: ${e.line})`);
    }
  }
  for (const [c, by] of superseded) {
    if (by === 'delete' && current.has(c) && !moved.has(c)) problems.push(`came back after a delete: ${c.trim()}`);
  }
  return { ok: problems.length === 0, problems };
}
