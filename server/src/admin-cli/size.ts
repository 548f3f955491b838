/** Sizes as operators write them: 10G, 500M, 1.5T, 1024 (bytes). Binary units (G = GiB). */
const UNITS: Record<string, number> = { '': 1, B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4, P: 1024 ** 5 };

/** Bytes, or undefined when `text` is not a size. */
export function parseSize(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGTP]?)(?:I?B)?\s*$/i.exec(text);
  if (!m) return undefined;
  const bytes = Math.round(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

export function formatSize(bytes: number): string {
  for (const u of ['P', 'T', 'G', 'M', 'K'] as const) {
    const unit = UNITS[u]!;
    if (bytes >= unit) return `${(bytes / unit).toFixed(bytes % unit === 0 ? 0 : 1)}${u}`;
  }
  return `${bytes}B`;
}
