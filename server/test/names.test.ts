/** Names and paths: table-driven rules, then properties over arbitrary (and hostile) strings. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadRequestError, ConflictError } from '../src/http-errors.js';
import {
  conflictedCopyName,
  joinPath,
  MAX_NAME_BYTES,
  nameKey,
  normalizeName,
  parsePath,
  splitExtension,
  truncateUtf8,
  uniqueName,
} from '../src/names.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** The BadRequestError thrown by f, or a failed test if f does not throw one. */
function refusal(f: () => unknown): BadRequestError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(BadRequestError);
    return e as BadRequestError;
  }
  throw new Error('expected a BadRequestError, nothing was thrown');
}

describe('normalizeName', () => {
  it.each([
    ['report.txt', 'report.txt'],
    ['Cafe\u0301.txt', 'Café.txt'], // NFD from macOS becomes NFC
    [' leading space', ' leading space'],
    ['.bashrc', '.bashrc'],
    ['a..b', 'a..b'],
    ['...hidden', '...hidden'],
    ['Q&A: plan? <draft> "v2" | *.txt', 'Q&A: plan? <draft> "v2" | *.txt'], // Windows-forbidden, yet allowed (Dropbox does)
    ['CONSOLE.txt', 'CONSOLE.txt'],
    ['COM10', 'COM10'],
    ['nul_', 'nul_'],
    ['my.con', 'my.con'],
    ['日本語のファイル.txt', '日本語のファイル.txt'],
    ['👩‍👩‍👧 family.jpg', '👩‍👩‍👧 family.jpg'],
    ['x'.repeat(255), 'x'.repeat(255)],
    ['é'.repeat(127) + 'a', 'é'.repeat(127) + 'a'], // 255 bytes
    ['e\u0301'.repeat(100), 'é'.repeat(100)], // 300 bytes in NFD, 200 in NFC: the limit applies to what is stored
    ['ends with nbsp\u00a0', 'ends with nbsp\u00a0'], // Windows keeps non-ASCII whitespace
  ])('accepts %j as %j', (input, expected) => {
    expect(normalizeName(input)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['.', 'dot'],
    ['..', 'dot'],
    ['a/b', 'slash'],
    ['/', 'slash'],
    ['a\\b', 'backslash'],
    ['a\0b', 'control_character'],
    ['tab\there', 'control_character'],
    ['line\nbreak', 'control_character'],
    ['del\x7f', 'control_character'],
    ['c1\u0085', 'control_character'],
    ['x'.repeat(256), 'too_long'],
    ['é'.repeat(128), 'too_long'],
    ['trailing ', 'trailing_space'],
    [' ', 'trailing_space'],
    ['trailing.', 'trailing_dot'],
    ['...', 'trailing_dot'],
    ['CON', 'reserved'],
    ['con.txt', 'reserved'],
    ['Nul.tar.gz', 'reserved'],
    ['aux', 'reserved'],
    ['PRN.doc', 'reserved'],
    ['COM1', 'reserved'],
    ['com9.log', 'reserved'],
    ['LPT5.txt', 'reserved'],
    ['COM¹.log', 'reserved'],
    ['con .txt', 'reserved'], // Windows ignores the space before the dot
    ['CONIN$', 'reserved'],
    ['bad\uD800half', 'invalid_unicode'],
    ['\uDC00', 'invalid_unicode'],
  ])('refuses %j (%s)', (input, reason) => {
    const e = refusal(() => normalizeName(input));
    expect(e.status).toBe(400);
    expect(e.code).toBe('invalid_name');
    expect(e.details).toEqual({ reason });
    expect(e.message).toMatch(/^Invalid name '.*': \S/s);
  });

  it('quotes only a short excerpt of a long refused name', () => {
    const e = refusal(() => normalizeName('y'.repeat(1000)));
    expect(e.message.length).toBeLessThan(200);
    expect(e.message).toContain('1000 bytes');
  });
});

describe('nameKey', () => {
  it.each([
    ['Report.TXT', 'report.txt'],
    ['Cafe\u0301', 'CAFÉ'],
    ['STRASSE', 'straße'], // macOS folds ß to ss
    ['ẞ', 'ss'],
    ['FILE', 'fıle'], // NTFS upcases dotless ı to I
    ['ſ', 's'],
    ['ΟΔΟΣ', 'οδοσ'],
    ['\u212a', 'k'], // Kelvin sign
  ])('%j and %j collide', (a, b) => {
    expect(nameKey(a)).toBe(nameKey(b));
  });

  it.each([
    ['a', 'b'],
    ['e', 'é'],
    ['a.txt', 'a.txt '],
    ['résumé', 'resume'],
  ])('%j and %j do not collide', (a, b) => {
    expect(nameKey(a)).not.toBe(nameKey(b));
  });
});

describe('parsePath', () => {
  it.each([
    ['', []],
    ['/', []],
    ['/a/b/c.txt', ['a', 'b', 'c.txt']],
    ['a/b', ['a', 'b']],
    ['/a/b/', ['a', 'b']],
    ['/Cafe\u0301/x', ['Café', 'x']],
    ['/ spaced/.git/config', [' spaced', '.git', 'config']],
  ])('parses %j', (input, expected) => {
    expect(parsePath(input)).toEqual(expected);
  });

  it.each([
    ['//', 'empty_segment', 0],
    ['a//b', 'empty_segment', 1],
    ['/a/b//', 'empty_segment', 2],
    ['/a/../b', 'dot', 1],
    ['/../etc/passwd', 'dot', 0],
    ['/./a', 'dot', 0],
    ['..', 'dot', 0],
    ['/a\\..\\b', 'backslash', 0],
    ['/docs/CON', 'reserved', 1],
    ['/a/b\0c', 'control_character', 1],
    ['/a/trailing /b', 'trailing_space', 1],
  ])('refuses %j (%s in segment %i)', (input, reason, segment) => {
    const e = refusal(() => parsePath(input));
    expect(e.code).toBe('invalid_path');
    expect(e.details).toEqual({ reason, segment });
  });

  it('allows 256 levels and 4096 bytes, not one more', () => {
    expect(parsePath('/a'.repeat(256))).toHaveLength(256);
    expect(refusal(() => parsePath('/a'.repeat(257))).details).toEqual({ reason: 'too_deep' });
    const full = ('/' + 'x'.repeat(255)).repeat(16); // exactly 4096 bytes
    expect(bytes(full)).toBe(4096);
    expect(parsePath(full)).toHaveLength(16);
    expect(refusal(() => parsePath(full + 'x')).details).toEqual({ reason: 'too_long' });
    expect(refusal(() => parsePath('/' + 'é'.repeat(2048))).details).toEqual({ reason: 'too_long' });
  });

  it('does not percent-decode', () => {
    expect(parsePath('/a%2Fb/%2E%2E')).toEqual(['a%2Fb', '%2E%2E']);
  });
});

describe('joinPath', () => {
  it('builds canonical paths and validates segments', () => {
    expect(joinPath([])).toBe('/');
    expect(joinPath(['a', 'Cafe\u0301.txt'])).toBe('/a/Café.txt');
    expect(refusal(() => joinPath(['a/b'])).code).toBe('invalid_name');
    expect(refusal(() => joinPath(['..'])).code).toBe('invalid_name');
    expect(refusal(() => joinPath(Array(257).fill('a'))).details).toEqual({ reason: 'too_deep' });
    expect(refusal(() => joinPath(Array(17).fill('x'.repeat(255)))).details).toEqual({ reason: 'too_long' });
  });
});

describe('splitExtension', () => {
  it.each([
    ['report.txt', 'report', '.txt'],
    ['a.tar.gz', 'a.tar', '.gz'],
    ['.bashrc', '.bashrc', ''],
    ['Makefile', 'Makefile', ''],
    ['Mr. Smith', 'Mr. Smith', ''],
    ['v1.0.this-is-not-an-extension', 'v1.0.this-is-not-an-extension', ''],
  ])('%j → %j + %j', (name, stem, ext) => {
    expect(splitExtension(name)).toEqual({ stem, ext });
  });
});

describe('conflictedCopyName', () => {
  const day = new Date('2026-11-23T10:00:00Z');
  it.each([
    ['report.txt', 'laptop', 'report (conflicted copy from laptop 2026-11-23).txt'],
    ['.bashrc', 'laptop', '.bashrc (conflicted copy from laptop 2026-11-23)'],
    ['Makefile', 'laptop', 'Makefile (conflicted copy from laptop 2026-11-23)'],
    ['a.tar.gz', 'laptop', 'a.tar (conflicted copy from laptop 2026-11-23).gz'],
    ['Cafe\u0301.md', "Anna's iPhone", "Café (conflicted copy from Anna's iPhone 2026-11-23).md"],
    ['x.txt', ' my/lap\\top\n\t(work) ', 'x (conflicted copy from my lap top (work) 2026-11-23).txt'],
    ['x.txt', '', 'x (conflicted copy from unknown device 2026-11-23).txt'],
    ['x.txt', '\0\n', 'x (conflicted copy from unknown device 2026-11-23).txt'],
  ])('%j from %j → %j', (name, device, expected) => {
    expect(conflictedCopyName(name, device, day)).toBe(expected);
  });

  it('uses the UTC day', () => {
    expect(conflictedCopyName('a', 'pc', new Date('2026-11-23T23:30:00-05:00'))).toBe(
      'a (conflicted copy from pc 2026-11-24)',
    );
  });

  it('trims the stem, keeping the extension and whole characters, to stay within 255 bytes', () => {
    const long = conflictedCopyName('x'.repeat(251) + '.txt', 'laptop', day);
    expect(bytes(long)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(long).toMatch(/^x+ \(conflicted copy from laptop 2026-11-23\)\.txt$/);
    const accented = conflictedCopyName('e\u0301'.repeat(125) + '.txt', 'd'.repeat(500), day);
    expect(bytes(accented)).toBeLessThanOrEqual(MAX_NAME_BYTES);
    expect(accented).toMatch(/^é+ \(conflicted copy from d{64} 2026-11-23\)\.txt$/);
  });

  it('refuses an invalid original name', () => {
    expect(refusal(() => conflictedCopyName('a/b', 'pc', day)).code).toBe('invalid_name');
  });
});

describe('uniqueName', () => {
  const takenBy = (...names: string[]) => {
    const keys = new Set(names.map(nameKey));
    return (key: string) => keys.has(key);
  };
  it.each([
    ['a.txt', [], 'a.txt'],
    ['a.txt', ['a.txt'], 'a (1).txt'],
    ['a.txt', ['a.txt', 'a (1).txt'], 'a (2).txt'],
    ['A.TXT', ['a.txt'], 'A (1).TXT'], // taken case-insensitively
    ['a (3).txt', ['a (3).txt'], 'a (4).txt'],
    ['.bashrc', ['.bashrc'], '.bashrc (1)'],
    ['folder', ['FOLDER', 'folder (1)'], 'folder (2)'],
    [' (1).txt', [' (1).txt'], ' (2).txt'],
  ] as const)('%j with %j taken → %j', (name, taken, expected) => {
    expect(uniqueName(name, takenBy(...taken))).toBe(expected);
  });

  it('keeps long names within 255 bytes', () => {
    const name = 'z'.repeat(250) + '.txt';
    const copy = uniqueName(name, takenBy(name));
    expect(copy).toBe('z'.repeat(247) + ' (1).txt');
    expect(bytes(copy)).toBe(255);
  });

  it('gives up with a 409 when everything is taken', () => {
    expect(() => uniqueName('a', () => true)).toThrow(ConflictError);
  });
});

describe('truncateUtf8', () => {
  it('cuts between grapheme clusters', () => {
    expect(truncateUtf8('ab👩‍👩‍👧', 10)).toBe('ab');
    expect(truncateUtf8('e\u0301e\u0301', 4)).toBe('é'); // never orphans the accent
    expect(truncateUtf8('abc', 10)).toBe('abc');
  });
});

// Strings built from the characters that trip name handling up, as well as arbitrary ones.
const nasty = fc.string({
  unit: fc.constantFrom(
    'a', 'E', 'c', 'o', 'n', 'C', 'O', 'N', 'x', '1', '.', ' ', '/', '\\', '\0', '\n', '\x7f', '\u0085',
    '\u0301', '\u0307', '\u0345', 'e', 'é', 'ß', 'ẞ', 'İ', 'ı', 'ς', 'Σ', 'σ', 'ſ', '\u212a', 'ﬃ', '\u0390',
    '\uD800', '\uDC00', '😀', '가', '\u1100', '\u1161', '\u11a8', '\u00a0', '(', ')', '¹', '$', '日',
  ),
  maxLength: 300,
});
const anyString = fc.oneof(
  nasty,
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme-composite', maxLength: 100 }),
  fc.string({ unit: fc.nat(0xffff).map((n) => String.fromCharCode(n)), maxLength: 300 }), // lone surrogates too
);
const validName = anyString.filter((s) => {
  try {
    normalizeName(s);
    return true;
  } catch {
    return false;
  }
});

describe('properties', () => {
  it('every string is refused with a BadRequestError or becomes a stable NFC name', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        let n: string;
        try {
          n = normalizeName(s);
        } catch (e) {
          expect(e).toBeInstanceOf(BadRequestError);
          expect((e as BadRequestError).status).toBe(400);
          return;
        }
        expect(n).toBe(n.normalize('NFC'));
        expect(normalizeName(n)).toBe(n);
        expect(bytes(n)).toBeLessThanOrEqual(MAX_NAME_BYTES);
        expect(nameKey(s)).toBe(nameKey(n));
      }),
      { numRuns: 3000 },
    );
  });

  it('nameKey is idempotent and ignores case', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        const k = nameKey(s);
        expect(nameKey(k)).toBe(k);
        // Case mapping does not commute with canonical reordering ('\u0345' upper-cases to a base
        // letter), so the claim is about stored names, which are NFC.
        const n = s.normalize('NFC');
        expect(nameKey(n.toUpperCase())).toBe(k);
        expect(nameKey(n.toLowerCase())).toBe(k);
      }),
      { numRuns: 3000 },
    );
  });

  it('conflicted copies are valid names of at most 255 bytes', () => {
    const date = fc.date({ min: new Date('1970-01-01'), max: new Date('9999-12-31'), noInvalidDate: true });
    fc.assert(
      fc.property(validName, anyString, date, (name, device, d) => {
        const copy = conflictedCopyName(name, device, d);
        expect(bytes(copy)).toBeLessThanOrEqual(MAX_NAME_BYTES);
        expect(normalizeName(copy)).toBe(copy);
        expect(copy).toContain(`${d.toISOString().slice(0, 10)})`);
      }),
      { numRuns: 2000 },
    );
  });

  it('uniqueName returns a valid name whose key is not taken', () => {
    fc.assert(
      fc.property(validName, fc.nat(20), (name, already) => {
        const keys = new Set([nameKey(name)]);
        for (let i = 0; i < already; i++) keys.add(nameKey(uniqueName(name, (k) => keys.has(k))));
        expect(keys.size).toBe(already + 1); // each call found a new key
        const next = uniqueName(name, (k) => keys.has(k));
        expect(keys.has(nameKey(next))).toBe(false);
        expect(normalizeName(next)).toBe(next);
      }),
      { numRuns: 300 },
    );
  });

  it('joinPath and parsePath are inverse on valid segments', () => {
    fc.assert(
      fc.property(fc.array(validName, { maxLength: 12 }), (segments) => {
        const path = joinPath(segments);
        expect(parsePath(path)).toEqual(segments.map((s) => normalizeName(s)));
        expect(joinPath(parsePath(path))).toBe(path);
      }),
      { numRuns: 500 },
    );
  });
});
