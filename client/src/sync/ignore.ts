/**
 * What the agent never syncs: its own folder (`.coffer/`: state, trash) and temp files, editors'
 * temp files, and the user's `.cofferignore` at the sync root (a gitignore-like subset: one glob
 * per line, `#` comments, `*` and `?` within a name, `**` across folders, a trailing `/` for
 * folders only, a leading `/` anchors to the root; a pattern without `/` matches any name).
 */
import type { LocalFs } from './local-fs.js';
import { META_DIR } from './state.js';

const BUILTIN = ['*.swp', '*.swx', '*~', '.#*', '.DS_Store', '*.tmp', '.*.coffer-*.part', `/${META_DIR}/`];

interface Rule {
  re: RegExp;
  dirOnly: boolean;
  /** Matched against the whole relative path rather than each name. */
  anchored: boolean;
}

function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

function parseRule(line: string): Rule | undefined {
  let l = line.trim();
  if (!l || l.startsWith('#')) return undefined;
  const dirOnly = l.endsWith('/');
  if (dirOnly) l = l.slice(0, -1);
  const anchored = l.includes('/');
  if (l.startsWith('/')) l = l.slice(1);
  return { re: globToRegExp(l), dirOnly, anchored };
}

export class IgnoreRules {
  private constructor(private readonly rules: Rule[]) {}

  static async load(fs: LocalFs): Promise<IgnoreRules> {
    const raw = await fs.readFile('.cofferignore').catch(() => undefined);
    return IgnoreRules.of(raw ? new TextDecoder().decode(raw) : '');
  }

  static of(text: string): IgnoreRules {
    return new IgnoreRules([...BUILTIN, ...text.split('\n')].map(parseRule).filter((r): r is Rule => !!r));
  }

  /** `rel` is `/`-separated and relative to the root; its parents were checked already by the walker. */
  ignored(rel: string, isDir: boolean): boolean {
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    return this.rules.some((r) => (!r.dirOnly || isDir) && r.re.test(r.anchored ? rel : name));
  }

  /** Ignored itself or under an ignored folder (for paths coming from the server or the watcher). */
  ignoredPath(rel: string, isDir: boolean): boolean {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) if (this.ignored(parts.slice(0, i).join('/'), true)) return true;
    return this.ignored(rel, isDir);
  }
}
