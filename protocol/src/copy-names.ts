/**
 * The name a "keep both" copy takes beside a file of the same name: `report (1).txt`,
 * `report (2).txt`, … — the server's rule for numbered names (server/src/names.ts uniqueName),
 * stated here so a browser upload that keeps both picks the same names the server would.
 */

/**
 * Split at the last dot when what follows looks like an extension: 1-16 characters without
 * whitespace ('a.tar.gz' → 'a.tar' + '.gz'; '.bashrc' and 'Mr. Smith' have none).
 */
export function splitExtension(name: string): { stem: string; ext: string } {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return { stem: name, ext: '' };
  const ext = name.slice(dot);
  if ([...ext].length > 17 || /\s/u.test(ext) || ext.length === 1) return { stem: name, ext: '' };
  return { stem: name.slice(0, dot), ext };
}

/** The `n`th numbered name after `name` (n ≥ 1); a name numbered already continues its count ('a (3).txt' → 'a (4).txt' for n = 1). */
export function numberedName(name: string, n: number): string {
  const { stem, ext } = splitExtension(name);
  const numbered = /^(.*) \((\d{1,9})\)$/su.exec(stem);
  const base = numbered ? numbered[1]! : stem;
  const first = numbered ? Number(numbered[2]) + 1 : 1;
  return `${base} (${first + n - 1})${ext}`;
}
