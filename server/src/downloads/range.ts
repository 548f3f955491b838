/** The `Range` request header (RFC 9110 §14.2), one range of bytes; several ranges get the whole body. */
import { RangeNotSatisfiableError } from '../http-errors.js';

/** [start, end) to send, or undefined for the whole representation. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Other units, several ranges, or nonsense: ignoring Range is allowed, and sends all the bytes.
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) throw new RangeNotSatisfiableError('an empty suffix range selects no bytes', { size });
    return { start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(m[1]);
  const last = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined; // invalid range-spec: ignored (RFC 9110 §14.1.1)
  if (start >= size) throw new RangeNotSatisfiableError(`the file has ${size} bytes; the range starts at ${start}`, { size });
  return { start, end: last + 1 };
}
