/** XML request bodies: read whole (json-body.ts's capped reader) up to WEBDAV_LIMITS.maxXmlBytes (413 beyond), UTF-8 (400 otherwise), parsed. */
import type { Context } from 'hono';
import { PayloadTooLargeError } from '../http-errors.js';
import { readJsonText } from '../json-body.js';
import { WEBDAV_LIMITS } from '@coffer/protocol';
import { invalidXml, parseXml, type XmlElement } from './xml.js';

export async function readXml(c: Context): Promise<XmlElement | undefined> {
  // The reader's cap is the larger of the configured JSON cap and this one.
  const read = await readJsonText(c, WEBDAV_LIMITS.maxXmlBytes);
  if (!read.ok) {
    if (read.problem === 'too_large') throw new PayloadTooLargeError(`XML bodies are limited to ${read.limit} bytes`);
    throw invalidXml('the body is not UTF-8');
  }
  return parseXml(read.text.replace(/^\uFEFF/, ''));
}

/** True when the request carries a body (MKCOL must not). */
export function hasBody(c: Context): boolean {
  const len = c.req.header('content-length');
  if (len !== undefined) return len.trim() !== '0';
  return c.req.header('transfer-encoding') !== undefined;
}
