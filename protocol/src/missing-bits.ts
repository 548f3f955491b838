/**
 * The answer of `POST /blocks/missing?answer=bits` (issue 21): instead of the missing hashes again
 * (64 hex digits each, most of a big question's answer), one bit per hash asked, in the order
 * asked: set when the server lacks it. base64 of the bitmap, bit i in byte i >> 3, lowest bit
 * first. A server from before answers `missing` whatever the query (it takes none): a client reads
 * whichever came. Browser-safe.
 */
export function missingBits(hashes: readonly string[], missing: ReadonlySet<string>): string {
  const bits = new Uint8Array(Math.ceil(hashes.length / 8));
  hashes.forEach((h, i) => {
    if (missing.has(h)) bits[i >> 3]! |= 1 << (i & 7);
  });
  let binary = '';
  for (const b of bits) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The hashes a bitmap marks missing; undefined when it does not fit the question (malformed, or not one bit per hash). */
export function missingFromBits(hashes: readonly string[], encoded: string): Set<string> | undefined {
  let binary: string;
  try {
    binary = atob(encoded);
  } catch {
    return undefined;
  }
  if (binary.length !== Math.ceil(hashes.length / 8)) return undefined;
  const out = new Set<string>();
  hashes.forEach((h, i) => {
    if (binary.charCodeAt(i >> 3) & (1 << (i & 7))) out.add(h);
  });
  return out;
}
