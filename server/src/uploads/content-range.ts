/** `Content-Range` of a resumable upload's PUT (RFC 9110 §14.4, as Google Drive uses it). */
import { BadRequestError } from '../http-errors.js';

export type PieceRange =
  /** `bytes a-b/N` or `bytes a-b/*`: bytes a..b (inclusive) of a file of N bytes (or not yet known). */
  | { kind: 'bytes'; start: number; end: number; total?: number }
  /** `bytes * /N` or `bytes * /*` with an empty body: how far is the upload? */
  | { kind: 'status'; total?: number };

const BYTES = /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15}|\*)$/;
const STATUS = /^bytes \*\/(\d{1,15}|\*)$/;

export function parseContentRange(header: string | undefined, contentLength: number | undefined): PieceRange {
  if (header === undefined) {
    // No Content-Range: the body is the whole file, from its first byte.
    if (contentLength === undefined) throw bad('a resumable PUT needs Content-Range (or Content-Length for a whole file)');
    return contentLength === 0 ? { kind: 'status', total: 0 } : { kind: 'bytes', start: 0, end: contentLength - 1, total: contentLength };
  }
  const h = header.trim();
  const s = STATUS.exec(h);
  if (s) return { kind: 'status', ...(s[1] === '*' ? {} : { total: Number(s[1]) }) };
  const m = BYTES.exec(h);
  if (!m) throw bad(`Content-Range '${header}' is not 'bytes FIRST-LAST/TOTAL' or 'bytes */TOTAL'`);
  const start = Number(m[1]);
  const end = Number(m[2]);
  const total = m[3] === '*' ? undefined : Number(m[3]);
  if (end < start) throw bad(`Content-Range '${header}': the last byte comes before the first`);
  if (total !== undefined && end >= total) throw bad(`Content-Range '${header}': the last byte is past the total size`);
  if (contentLength !== undefined && contentLength !== end - start + 1) {
    throw bad(`Content-Range '${header}' announces ${end - start + 1} bytes but Content-Length is ${contentLength}`);
  }
  return { kind: 'bytes', start, end, total };
}

function bad(message: string): BadRequestError {
  return new BadRequestError(message, { code: 'invalid_content_range' });
}
