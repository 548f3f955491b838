/** XML request bodies: read whole up to WEBDAV_LIMITS.maxXmlBytes (413 beyond), UTF-8 (400 otherwise), parsed. */
import type { Context } from 'hono';
import { PayloadTooLargeError } from '../http-errors.js';
import { WEBDAV_LIMITS } from '@coffer/protocol';
import { invalidXml, parseXml, type XmlElement } from './xml.js';

export async function readXml(c: Context): Promise<XmlElement | undefined> {
  const limit = WEBDAV_LIMITS.maxXmlBytes;
  const declared = c.req.header('content-length')?.trim();
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit) throw tooLarge(limit);
  const body = c.req.raw.body;
  if (!body) return undefined;
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw invalidXml('the body is not UTF-8');
  }
  return parseXml(text.replace(/^\uFEFF/, ''));
}

/** True when the request carries a body (MKCOL must not). */
export function hasBody(c: Context): boolean {
  const len = c.req.header('content-length');
  if (len !== undefined) return len.trim() !== '0';
  return c.req.header('transfer-encoding') !== undefined;
}

function tooLarge(limit: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`XML bodies are limited to ${limit} bytes`);
}
