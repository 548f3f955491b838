import { InvalidArgumentError } from '../errors.js';

/**
 * Object keys every driver accepts: relative paths of [a-z0-9._/-]. The charset is narrow on
 * purpose: a key is then a safe file path, a safe S3 object name, and characters outside it
 * (such as '~') are free for a driver's own bookkeeping (FsNode's temp files).
 */
const KEY_CHARS = /^[a-z0-9._/-]+$/;
/** One path segment stays well under the 255-byte file name limit, temp suffix included. */
const MAX_SEGMENT = 200;
const MAX_KEY = 1000;

function checkPath(what: string, value: string, allowTrailingSlash: boolean): void {
  if (value.length > MAX_KEY) throw new InvalidArgumentError(`${what} longer than ${MAX_KEY} characters`);
  if (!KEY_CHARS.test(value)) throw new InvalidArgumentError(`${what} ${JSON.stringify(value)} has characters outside [a-z0-9._/-]`);
  if (value.startsWith('/')) throw new InvalidArgumentError(`${what} ${JSON.stringify(value)} starts with '/'`);
  const segments = value.split('/');
  if (allowTrailingSlash && segments.at(-1) === '') segments.pop();
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..') {
      throw new InvalidArgumentError(`${what} ${JSON.stringify(value)} has an empty, '.' or '..' segment`);
    }
    if (s.length > MAX_SEGMENT) throw new InvalidArgumentError(`${what} has a segment longer than ${MAX_SEGMENT}`);
  }
}

/** Throws InvalidArgumentError unless `key` is a valid object key. */
export function checkKey(key: string): void {
  checkPath('key', key, false);
}

/** A list prefix: empty, or a key-like string that may end with '/' (or mid-segment). */
export function checkPrefix(prefix: string): void {
  if (prefix !== '') checkPath('prefix', prefix, true);
}

/** Validates a byte range [start, end): non-negative safe integers, start <= end. */
export function checkRange(range: { start: number; end: number }): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new InvalidArgumentError(`bad byte range [${start}, ${end})`);
  }
}
