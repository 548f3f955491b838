/** Quotas are typed in GiB (what people think in) and sent in bytes. */
export const GIB = 1024 ** 3;

export function gibOf(bytes: number): string {
  const v = bytes / GIB;
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/** Bytes from a GiB field, or undefined when it is not a number ≥ 0. */
export function bytesOfGib(text: string): number | undefined {
  const v = Number(text.replace(',', '.'));
  return text.trim() !== '' && Number.isFinite(v) && v >= 0 ? Math.round(v * GIB) : undefined;
}
