/**
 * A real folder as the simulation's people see a disk (UserDisk), so the soak applies exactly the
 * simulation's user operations. Synchronous calls: an operation reads and writes in one tick, which
 * keeps the window in which the agent (another process) can change the folder under it small.
 * Anything the agent moved away meanwhile is simply not there (walk and readdir skip it).
 * `replaced` hears the content each write, rename or delete really replaced or removed, read just
 * before it (it may differ from what the operation saw when it looked: the agent had changed it).
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { UserDisk } from '../sim/user-ops.js';

export function realDisk(root: string, replaced: (content: string, by: 'edit' | 'delete') => void = () => undefined): UserDisk {
  const abs = (rel: string) => (rel ? join(root, rel) : root);
  const before = (rel: string, by: 'edit' | 'delete') => {
    try {
      replaced(readFileSync(abs(rel), 'utf8'), by);
    } catch {
      // nothing there (or a folder)
    }
  };
  const kindOf = (rel: string): 'file' | 'dir' | undefined => {
    try {
      const st = lstatSync(abs(rel));
      return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : undefined;
    } catch {
      return undefined;
    }
  };
  const readdirSafe = (rel: string): string[] => {
    try {
      return readdirSync(abs(rel)).sort();
    } catch {
      return [];
    }
  };
  return {
    readdirSafe,
    stat: (rel) => {
      const kind = kindOf(rel);
      return kind ? { kind } : undefined;
    },
    writeFile: (rel, bytes) => {
      before(rel, 'edit');
      writeFileSync(abs(rel), bytes);
    },
    rename: (from, to) => {
      before(to, 'edit');
      renameSync(abs(from), abs(to));
    },
    mkdir: (rel) => mkdirSync(abs(rel)),
    unlink: (rel) => {
      before(rel, 'delete');
      unlinkSync(abs(rel));
    },
    removeTree: (rel) => {
      for (const e of walk(rel)) if (e.kind === 'file') replaced(new TextDecoder().decode(e.bytes), 'delete');
      // force: what the agent removed meanwhile is not an error; whatever is left goes.
      rmSync(abs(rel), { recursive: true, force: true, maxRetries: 3 });
    },
    walk: () => walk(''),
  };

  function walk(from: string): { path: string; kind: 'file' | 'dir'; bytes?: Uint8Array }[] {
    const out: { path: string; kind: 'file' | 'dir'; bytes?: Uint8Array }[] = [];
    const visit = (rel: string) => {
      for (const name of readdirSafe(rel)) {
        const p = rel ? `${rel}/${name}` : name;
        if (p === '.coffer') continue;
        const kind = kindOf(p);
        if (kind === 'dir') {
          out.push({ path: p, kind });
          visit(p);
        } else if (kind === 'file') {
          let bytes: Uint8Array;
          try {
            bytes = readFileSync(abs(p));
          } catch {
            continue; // gone between the listing and the read
          }
          out.push({ path: p, kind, bytes });
        }
      }
    };
    visit(from);
    return out;
  }
}
