/** The `Content-Length` request header, strictly (digits only), for routes that stream a body. */
import { BadRequestError } from './http-errors.js';

const DIGITS = /^\d{1,15}$/;

/** The declared length, or undefined when absent; anything but digits is a 400. */
export function contentLength(h: string | undefined): number | undefined {
  if (h === undefined) return undefined;
  if (!DIGITS.test(h.trim())) throw new BadRequestError('Content-Length must be a whole number of bytes', { code: 'invalid_content_length' });
  return Number(h);
}

/** The same, leniently (undefined when malformed): for deciding what to do after a refusal. */
export function declaredLength(h: string | undefined): number | undefined {
  return h !== undefined && DIGITS.test(h.trim()) ? Number(h) : undefined;
}
