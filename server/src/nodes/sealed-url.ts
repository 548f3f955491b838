/**
 * The URL of a node added through the admin API, credentials included, kept in the database so
 * the next boot can open it — sealed like a block: an AES-256-GCM frame under a data key of a
 * reserved namespace, wrapped by the master key (so a database dump or backup does not hand out
 * the S3 secrets, and rotating the master key re-wraps it with every other data key). The node's
 * name is bound in as associated data, so a sealed URL cannot be moved to another row.
 */
import { decodeFrame, encodeFrame, readFrameHeader, type KeyProvider } from '@coffer/storage-engine';

/** Not a UUID, so it can be no user's namespace. */
const NODE_URLS_NAMESPACE = 'coffer:node-urls';

export async function sealNodeUrl(keys: KeyProvider, name: string, url: string): Promise<string> {
  const key = await keys.currentKey(NODE_URLS_NAMESPACE);
  return encodeFrame(Buffer.from(url, 'utf8'), key, { compress: false, aad: Buffer.from(name, 'utf8') }).toString('base64url');
}

export async function openNodeUrl(keys: KeyProvider, name: string, sealed: string): Promise<string> {
  const frame = Buffer.from(sealed, 'base64url');
  const key = await keys.keyById(NODE_URLS_NAMESPACE, readFrameHeader(frame).keyId);
  return decodeFrame(frame, key, Buffer.from(name, 'utf8')).toString('utf8');
}
