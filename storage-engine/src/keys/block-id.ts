import { createHash, createHmac } from 'node:crypto';
import { KeyError } from '../errors.js';

/** SHA-256 of a chunk's plaintext: its content identity (node:crypto, ~1.2 GB/s here). */
export function contentHash(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/**
 * Stored block keys: HMAC-SHA256(server secret, namespace ‖ content hash). Dedup is per
 * namespace, object names reveal nothing of the content, and without the secret nobody can
 * compute (and so probe for) another account's blocks.
 */
export class BlockIds {
  constructor(private readonly secret: Buffer) {
    if (secret.byteLength < 32) throw new KeyError('the server secret must be at least 32 bytes');
  }

  storedKey(namespace: string, hash: Buffer): string {
    if (hash.byteLength !== 32) throw new KeyError('a content hash is 32 bytes');
    const ns = Buffer.from(namespace, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(ns.byteLength);
    // Length-prefixed, so ("a", "bc…") and ("ab", "c…") can never collide.
    return createHmac('sha256', this.secret).update(len).update(ns).update(hash).digest('hex');
  }
}
