/** Keep-both names follow the server's numbering rule (server/src/names.ts uniqueName). */
import { describe, expect, it } from 'vitest';
import { numberedName } from '../src/index.js';

describe('numberedName', () => {
  it('numbers before the extension, continues a count, and leaves dotfiles and non-extensions whole', () => {
    expect(numberedName('report.txt', 1)).toBe('report (1).txt');
    expect(numberedName('report.txt', 2)).toBe('report (2).txt');
    expect(numberedName('a.tar.gz', 1)).toBe('a.tar (1).gz');
    expect(numberedName('a (3).txt', 1)).toBe('a (4).txt');
    expect(numberedName('.bashrc', 1)).toBe('.bashrc (1)');
    expect(numberedName('Mr. Smith', 1)).toBe('Mr. Smith (1)');
    expect(numberedName('notes', 3)).toBe('notes (3)');
  });
});
