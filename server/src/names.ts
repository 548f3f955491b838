/**
 * File names and paths as a Dropbox or Nextcloud user expects them (DESIGN §4 "Names"):
 * NFC-normalised, case-preserving, unique per folder case-insensitively, and portable, so that
 * syncing a folder to Windows, macOS or Linux never meets a name it cannot hold.
 *
 * Rules of a name (each refusal is a 400 'invalid_name' with `details.reason`):
 * - stored in NFC (macOS hands out NFD; the same name must be the same bytes everywhere);
 * - not empty, not '.' or '..', no '/', '\' or control character (C0, DEL and C1: invisible,
 *   and they break terminals, logs and Windows);
 * - at most 255 UTF-8 bytes (the limit of ext4, APFS and NTFS-through-UTF-8 tools);
 * - no trailing space or dot: Windows silently strips them, so 'a.' and 'a' would collide there
 *   and the file could not be opened. Leading spaces are allowed (every OS keeps them), as is
 *   other Unicode whitespace (Windows keeps it). This is what Dropbox does;
 * - not a Windows device name (CON, PRN, AUX, NUL, COM0-9, LPT0-9, their superscript-digit
 *   forms, CONIN$, CONOUT$), with or without extension ('nul.tar.gz'), any case.
 * Characters Windows forbids but other systems allow (< > : " | ? *) are accepted, as Dropbox
 * and Nextcloud accept them; the Windows sync client must map them locally.
 */
import { BadRequestError, ConflictError } from './http-errors.js';

export const MAX_NAME_BYTES = 255;
export const MAX_PATH_BYTES = 4096;
export const MAX_PATH_DEPTH = 256;

const CONTROL = /\p{Cc}/u; // U+0000-001F, U+007F, U+0080-009F
const LONE_SURROGATE = /\p{Cs}/u; // with the u flag a valid pair is one code point, so only lone halves match
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i;

export type NameProblem =
  | 'not_a_string'
  | 'invalid_unicode'
  | 'empty'
  | 'dot'
  | 'slash'
  | 'backslash'
  | 'control_character'
  | 'too_long'
  | 'trailing_space'
  | 'trailing_dot'
  | 'reserved';

/** The name in NFC, or a BadRequestError 'invalid_name' saying why it cannot be stored. */
export function normalizeName(name: string): string {
  if (typeof name !== 'string') throw nameError(String(name), 'not_a_string', 'a name must be a string');
  // A lone surrogate cannot be encoded in UTF-8 (nor stored in Postgres text): refuse, never replace silently.
  if (LONE_SURROGATE.test(name)) throw nameError(name, 'invalid_unicode', 'it is not valid Unicode');
  const n = name.normalize('NFC');
  if (n.length === 0) throw nameError(n, 'empty', 'a name cannot be empty');
  if (n === '.' || n === '..') throw nameError(n, 'dot', `'${n}' means a folder itself or its parent`);
  if (n.includes('/')) throw nameError(n, 'slash', "a name cannot contain '/'");
  if (n.includes('\\')) throw nameError(n, 'backslash', "a name cannot contain '\\' (a separator on Windows)");
  if (CONTROL.test(n)) throw nameError(n, 'control_character', 'a name cannot contain control characters');
  const bytes = Buffer.byteLength(n, 'utf8');
  if (bytes > MAX_NAME_BYTES) throw nameError(n, 'too_long', `it is ${bytes} bytes long in UTF-8; the limit is ${MAX_NAME_BYTES}`);
  if (n.endsWith(' ')) throw nameError(n, 'trailing_space', 'a name cannot end with a space (Windows cannot hold it)');
  if (n.endsWith('.')) throw nameError(n, 'trailing_dot', 'a name cannot end with a dot (Windows cannot hold it)');
  const device = n.split('.', 1)[0]!.trimEnd();
  if (WINDOWS_DEVICE.test(device)) throw nameError(n, 'reserved', `'${device}' is a device name reserved on Windows`);
  return n;
}

/**
 * The key two names in one folder must not share. Case folding is approximated by
 * upper-casing then lower-casing (locale-independent, full Unicode mappings), in NFC, repeated
 * until stable (at most a few rounds; 'ẞ' needs two). This is a superset of what collides on
 * Windows (NTFS upcase table: 'ı' ~ 'I', 'ſ' ~ 'S') and on macOS (case folding: 'ß' ~ 'ss'),
 * so a folder that is valid here is valid on both. The key can be up to 3x the name's bytes:
 * store it in an unbounded text column.
 */
export function nameKey(name: string): string {
  let key = name.normalize('NFC');
  for (let round = 0; round < 8; round++) {
    const next = key.toUpperCase().toLowerCase().normalize('NFC');
    if (next === key) return key;
    key = next;
  }
  return key;
}

/**
 * '/a/b/c.txt' → ['a', 'b', 'c.txt'], each segment normalised; '' and '/' are the root ([]).
 * One leading and one trailing '/' are optional ('a/b/' is '/a/b'); anything else that would
 * make two spellings of one path ('a//b', '.', '..') is refused, so a path can never climb out
 * of its namespace. Percent-decoding is the route's job, not done here.
 */
export function parsePath(path: string): string[] {
  if (typeof path !== 'string') throw pathError(String(path), 'not_a_string', 'a path must be a string');
  if (Buffer.byteLength(path, 'utf8') > MAX_PATH_BYTES) throw pathError(path, 'too_long', `it is longer than ${MAX_PATH_BYTES} bytes`);
  if (path === '' || path === '/') return [];
  let inner = path.startsWith('/') ? path.slice(1) : path;
  if (inner.endsWith('/')) inner = inner.slice(0, -1);
  const raw = inner.split('/');
  if (raw.length > MAX_PATH_DEPTH) throw pathError(path, 'too_deep', `it is ${raw.length} levels deep; the limit is ${MAX_PATH_DEPTH}`);
  const segments = raw.map((s, i) => {
    if (s === '') throw pathError(path, 'empty_segment', `segment ${i + 1} is empty ('//')`, { segment: i });
    try {
      return normalizeName(s);
    } catch (e) {
      if (!(e instanceof BadRequestError)) throw e;
      const reason = (e.details as { reason?: string } | undefined)?.reason ?? 'invalid_name';
      throw pathError(path, reason, `segment ${i + 1}: ${e.message}`, { segment: i });
    }
  });
  // NFC can lengthen a string slightly: the canonical form must fit too, so it parses again.
  if (Buffer.byteLength(canonical(segments), 'utf8') > MAX_PATH_BYTES) throw pathError(path, 'too_long', `it is longer than ${MAX_PATH_BYTES} bytes`);
  return segments;
}

/** The canonical path of segments: '/' for the root, else '/a/b'. Validates like parsePath. */
export function joinPath(segments: readonly string[]): string {
  if (segments.length > MAX_PATH_DEPTH) throw pathError('…', 'too_deep', `it is ${segments.length} levels deep; the limit is ${MAX_PATH_DEPTH}`);
  const path = canonical(segments.map(normalizeName));
  if (Buffer.byteLength(path, 'utf8') > MAX_PATH_BYTES) throw pathError(path, 'too_long', `it is longer than ${MAX_PATH_BYTES} bytes`);
  return path;
}

/**
 * Split at the last dot when what follows looks like an extension: 1-16 characters without
 * whitespace. So 'a.tar.gz' → 'a.tar' + '.gz', '.bashrc' → no extension (a dotfile),
 * 'Mr. Smith' → no extension (so copies read 'Mr. Smith (1)', not 'Mr (1). Smith').
 */
export function splitExtension(name: string): { stem: string; ext: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return { stem: name, ext: '' };
  const ext = name.slice(dot);
  if ([...ext].length > 17 || /\s/u.test(ext) || ext.length === 1) return { stem: name, ext: '' };
  return { stem: name.slice(0, dot), ext };
}

/**
 * 'report.txt' → 'report (conflicted copy from laptop 2026-11-23).txt' (Dropbox's form, DESIGN §5).
 * The date is the UTC day (the server does not know the device's zone). The device name is
 * tidied (separators and control characters become spaces, at most 64 bytes). The stem is
 * trimmed, on a character boundary, so the result is always a valid name of ≤ 255 bytes.
 */
export function conflictedCopyName(name: string, device: string, date: Date): string {
  const n = normalizeName(name);
  const day = date.toISOString().slice(0, 10);
  return withSuffix(splitExtension(n), ` (conflicted copy from ${tidyDevice(device)} ${day})`);
}

/** Between people (a shared folder): `report (ann's conflicted copy 2024-05-01).txt`. */
export function personConflictedCopyName(name: string, person: string, date: Date): string {
  const n = normalizeName(name);
  const day = date.toISOString().slice(0, 10);
  return withSuffix(splitExtension(n), ` (${tidyDevice(person)}'s conflicted copy ${day})`);
}

/**
 * `name` itself if its key is free, else the first free 'a (1).txt', 'a (2).txt', …
 * A name already numbered continues its count: a copy of 'a (3).txt' is 'a (4).txt'.
 * `taken` receives nameKey(candidate). Gives up with a 409 after 10 000 tries.
 */
export function uniqueName(name: string, taken: (key: string) => boolean): string {
  const n = normalizeName(name);
  if (!taken(nameKey(n))) return n;
  const { stem, ext } = splitExtension(n);
  const numbered = /^(.*) \((\d{1,9})\)$/su.exec(stem);
  const base = { stem: numbered ? numbered[1]! : stem, ext };
  const first = numbered ? Number(numbered[2]) + 1 : 1;
  for (let i = first; i < first + 10_000; i++) {
    const candidate = withSuffix(base, ` (${i})`);
    if (!taken(nameKey(candidate))) return candidate;
  }
  throw new ConflictError(`No free name found for '${clip(n)}'`, { code: 'name_exhausted' });
}

/** stem + suffix + ext, trimming the stem so the name stays ≤ 255 bytes. The suffix starts with
 *  ' (' and ends with ')', so the result never ends in a space or dot nor starts with a device name. */
function withSuffix(parts: { stem: string; ext: string }, suffix: string): string {
  let { stem, ext } = parts;
  const room = MAX_NAME_BYTES - utf8(suffix);
  if (utf8(ext) >= room) ({ stem, ext } = { stem: stem + ext, ext: '' }); // cannot happen with ≤ 17-char extensions; stay safe
  const result = truncateUtf8(stem, room - utf8(ext)) + suffix + ext;
  return normalizeName(result); // never hand out a name we would refuse
}

const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** The longest prefix of s within maxBytes, cut between grapheme clusters (so 'é' keeps its accent),
 *  falling back to code points when a single cluster is too long. */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (utf8(s) <= maxBytes) return s;
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(s)) {
    const b = utf8(segment);
    if (used + b > maxBytes) break;
    out += segment;
    used += b;
  }
  if (out === '') {
    for (const cp of s) {
      const b = utf8(cp);
      if (used + b > maxBytes) break;
      out += cp;
      used += b;
    }
  }
  return out.normalize('NFC');
}

function tidyDevice(device: string): string {
  const tidy = String(device)
    .replace(/[\p{Cc}\p{Cs}/\\]/gu, ' ')
    .normalize('NFC')
    .replace(/\s+/gu, ' ')
    .trim();
  const cut = truncateUtf8(tidy, 64).trim();
  return cut === '' ? 'unknown device' : cut;
}

function canonical(segments: readonly string[]): string {
  return '/' + segments.join('/');
}

function utf8(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** Names can be 255 bytes of anything: quote a short, visible excerpt in messages. */
function clip(s: string): string {
  const chars = [...s];
  return chars.length > 60 ? chars.slice(0, 60).join('') + '…' : s;
}

function nameError(name: string, reason: NameProblem, why: string): BadRequestError {
  return new BadRequestError(`Invalid name '${clip(name)}': ${why}`, { code: 'invalid_name', details: { reason } });
}

function pathError(path: string, reason: string, why: string, extra: { segment?: number } = {}): BadRequestError {
  return new BadRequestError(`Invalid path '${clip(path)}': ${why}`, { code: 'invalid_path', details: { reason, ...extra } });
}
