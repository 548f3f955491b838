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

/** One expression for several rules' (each `^…$`): a name is tested once, not once per rule. */
function oneOf(rules: Rule[]): RegExp {
  return rules.length ? new RegExp(`^(?:${rules.map((r) => r.re.source.slice(1, -1)).join('|')})$`) : /(?!)/;
}

export class IgnoreRules {
  private readonly byName: RegExp;
  private readonly byPath: RegExp;
  private readonly dirByName: RegExp;
  private readonly dirByPath: RegExp;

  private constructor(rules: Rule[]) {
    const of = (dirOnly: boolean, anchored: boolean) => oneOf(rules.filter((r) => r.dirOnly === dirOnly && r.anchored === anchored));
    this.byName = of(false, false);
    this.byPath = of(false, true);
    this.dirByName = of(true, false);
    this.dirByPath = of(true, true);
  }

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
    return this.byName.test(name) || this.byPath.test(rel) || (isDir && (this.dirByName.test(name) || this.dirByPath.test(rel)));
  }

  /** Ignored itself or under an ignored folder (for paths coming from the server or the watcher). */
  ignoredPath(rel: string, isDir: boolean): boolean {
    const slash = rel.lastIndexOf('/');
    return (slash >= 0 && this.folderIgnored(rel.slice(0, slash))) || this.ignored(rel, isDir);
  }

  /** Folders' answers, kept: a pass asks about every path several times, and most share a few folders. */
  private readonly folders = new Map<string, boolean>();
  private folderIgnored(dir: string): boolean {
    let v = this.folders.get(dir);
    if (v === undefined) this.folders.set(dir, (v = this.ignoredPath(dir, true)));
    return v;
  }
}
