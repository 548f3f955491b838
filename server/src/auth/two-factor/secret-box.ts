/**
 * Sealing small secrets at rest (TOTP secrets): AES-256-GCM under a key derived (HKDF-SHA-256)
 * from the server secret, with the owning user's id as associated data, so a sealed value copied
 * to another row does not open. The server secret lives in the data directory's keys/ (or
 * COFFER_SERVER_SECRET), not in the database: a stolen database dump yields no secrets. The master
 * key is not used because its rotation re-wraps only namespace keys.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export class SecretBox {
  private readonly key: Buffer;

  constructor(serverSecret: Buffer, purpose: string) {
    this.key = Buffer.from(hkdfSync('sha256', serverSecret, Buffer.alloc(0), `coffer ${purpose} ${VERSION}`, 32));
  }

  seal(plain: Buffer, owner: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(owner));
    const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
    return `${VERSION}.${Buffer.concat([nonce, ct, cipher.getAuthTag()]).toString('base64url')}`;
  }

  /** The plain bytes, or undefined when the value is malformed, another owner's, or sealed under another secret. */
  open(sealed: string, owner: string): Buffer | undefined {
    const [version, body64] = sealed.split('.');
    if (version !== VERSION || !body64) return undefined;
    const body = Buffer.from(body64, 'base64url');
    if (body.byteLength < 12 + 16) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, body.subarray(0, 12));
      decipher.setAAD(Buffer.from(owner));
      decipher.setAuthTag(body.subarray(body.byteLength - 16));
      return Buffer.concat([decipher.update(body.subarray(12, body.byteLength - 16)), decipher.final()]);
    } catch {
      return undefined;
    }
  }
}
