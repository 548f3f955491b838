/**
 * The block frame: a chunk compressed (when worth it) and then encrypted with AES-256-GCM.
 *
 *   offset  size  field
 *   0       4     magic "CFB1"
 *   4       1     version (1)
 *   5       1     flags: bit 0 = payload is zstd-compressed
 *   6       2     reserved (0)
 *   8       4     plaintext size, u32 big-endian
 *   12      16    data key id
 *   28      12    nonce (random per frame)
 *   40      n     ciphertext
 *   40+n    16    GCM tag
 *
 * The whole header is additional authenticated data, together with the caller's AAD (the
 * block's stored key), so neither the header nor a frame's place can be changed undetected.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { compressScratch, decompress } from './compression.js';
import { FormatError, IntegrityError, KeyError } from '../errors.js';
import { native } from '../native.js';

export interface DataKey {
  /** 16 bytes, written in each frame so a reader knows which key to fetch. */
  id: Buffer;
  /** 32 bytes of AES-256 key. */
  key: Buffer;
}

export interface EncodeOptions {
  /** Try compression (default true); false for types known to be compressed already. */
  compress?: boolean;
  level?: number;
  aad?: Uint8Array;
}

export interface FrameHeader {
  version: number;
  compressed: boolean;
  plainSize: number;
  keyId: Buffer;
  nonce: Buffer;
  headerSize: number;
}

const MAGIC = Buffer.from('CFB1', 'latin1');
const VERSION = 1;
const HEADER_SIZE = 40;
const TAG_SIZE = 16;
const FLAG_ZSTD = 1;
export const FRAME_OVERHEAD = HEADER_SIZE + TAG_SIZE;
const CIPHER_SLICE = 64 * 1024;
const NO_AAD = new Uint8Array(0);

export function encodeFrame(plain: Uint8Array, key: DataKey, opts: EncodeOptions = {}): Buffer {
  const source = prepareFrame(plain, key, opts);
  const frame = Buffer.allocUnsafe(source.size);
  source.writeInto(frame);
  return frame;
}

/**
 * Compress now, encrypt later into a buffer the caller provides: the erasure coder has the frame
 * written straight into its coding area, so a write never holds the frame in a buffer of its own.
 * Compressed bytes wait in pooled scratch memory until writeInto, which is called once.
 */
export function prepareFrame(plain: Uint8Array, key: DataKey, opts: EncodeOptions = {}): { size: number; writeInto(target: Buffer): void } {
  checkKey(key);
  if (plain.byteLength > 0xffffffff) throw new FormatError('a block frame holds at most 4 GiB');
  const packed = opts.compress === false ? undefined : compressScratch(plain, opts.level);
  const payload = packed?.bytes ?? plain;
  const size = HEADER_SIZE + payload.byteLength + TAG_SIZE;
  return {
    size,
    writeInto(frame: Buffer): void {
      if (frame.byteLength < size) throw new FormatError(`a ${size}-byte frame does not fit ${frame.byteLength} bytes`);
      MAGIC.copy(frame, 0);
      frame[4] = VERSION;
      frame[5] = packed ? FLAG_ZSTD : 0;
      frame.writeUInt16BE(0, 6);
      frame.writeUInt32BE(plain.byteLength, 8);
      key.id.copy(frame, 12);
      const nonce = randomBytes(12);
      nonce.copy(frame, 28);
      const end = HEADER_SIZE + payload.byteLength;
      if (native) {
        const out = frame.subarray(HEADER_SIZE, end);
        native.gcmSeal(key.key, nonce, frame.subarray(0, HEADER_SIZE), opts.aad ?? NO_AAD, payload, out, frame.subarray(end, end + TAG_SIZE));
        packed?.release();
        return;
      }
      const cipher = createCipheriv('aes-256-gcm', key.key, nonce);
      cipher.setAAD(frame.subarray(0, HEADER_SIZE));
      if (opts.aad) cipher.setAAD(opts.aad);
      // In slices: each output is an allocation of its own, and 64 KiB ones come from the malloc
      // heap, where one of the whole payload's size was an mmap and munmap per block (measured:
      // the collector's threads spent ~40% less time freeing them).
      let pos = HEADER_SIZE;
      for (let at = 0; at < payload.byteLength; at += CIPHER_SLICE) {
        pos += cipher.update(payload.subarray(at, Math.min(payload.byteLength, at + CIPHER_SLICE))).copy(frame, pos);
      }
      pos += cipher.final().copy(frame, pos);
      cipher.getAuthTag().copy(frame, pos);
      packed?.release();
    },
  };
}

export function readFrameHeader(frame: Uint8Array): FrameHeader {
  const b = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  if (b.byteLength < FRAME_OVERHEAD) throw new FormatError(`a frame of ${b.byteLength} bytes is truncated`);
  if (!b.subarray(0, 4).equals(MAGIC)) throw new FormatError('not a Coffer block frame (bad magic)');
  if (b[4] !== VERSION) throw new FormatError(`unknown frame version ${b[4]}`);
  if ((b[5]! & ~FLAG_ZSTD) !== 0 || b.readUInt16BE(6) !== 0) throw new FormatError('unknown frame flags');
  return {
    version: b[4]!,
    compressed: (b[5]! & FLAG_ZSTD) !== 0,
    plainSize: b.readUInt32BE(8),
    keyId: Buffer.from(b.subarray(12, 28)),
    nonce: Buffer.from(b.subarray(28, 40)),
    headerSize: HEADER_SIZE,
  };
}

/** With `inPlace` (and the addon loaded) the frame's own memory receives the plaintext and the
 *  result is a view of it: the caller gives the frame up (a read's frame is garbage after this). */
export function decodeFrame(frame: Uint8Array, key: DataKey, aad?: Uint8Array, opts: { inPlace?: boolean } = {}): Buffer {
  const { payload, compressed, plainSize } = openFrame(frame, key, aad, opts);
  return compressed ? decompress(payload, plainSize) : payload;
}

/** An authenticated frame's payload as stored: `compressed` ones are one zstd frame of `plainSize` bytes. */
export interface OpenedFrame {
  payload: Buffer;
  compressed: boolean;
  plainSize: number;
}

/**
 * Decrypt and authenticate, without decompressing: a download that is sent zstd-compressed anyway
 * takes the stored compressed payload as it is (the receiver checks the plaintext's hash).
 */
export function openFrame(frame: Uint8Array, key: DataKey, aad?: Uint8Array, opts: { inPlace?: boolean } = {}): OpenedFrame {
  checkKey(key);
  const header = readFrameHeader(frame);
  if (!header.keyId.equals(key.id)) throw new KeyError('the frame was sealed under another data key');
  const b = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  const payload = native ? openNative(b, header, key, aad, opts.inPlace === true) : openJs(b, header, key, aad);
  if (!header.compressed && payload.byteLength !== header.plainSize) throw new FormatError('frame size does not match its header');
  return { payload, compressed: header.compressed, plainSize: header.plainSize };
}

function openNative(b: Buffer, header: FrameHeader, key: DataKey, aad: Uint8Array | undefined, inPlace: boolean): Buffer {
  const sealed = b.subarray(HEADER_SIZE, b.byteLength - TAG_SIZE);
  const out = inPlace ? sealed : Buffer.allocUnsafeSlow(sealed.byteLength);
  if (!native!.gcmOpen(key.key, header.nonce, b.subarray(0, HEADER_SIZE), aad ?? NO_AAD, sealed, b.subarray(b.byteLength - TAG_SIZE), out)) {
    throw new IntegrityError('block frame failed authentication (tampered or corrupt)');
  }
  return out;
}

function openJs(b: Buffer, header: FrameHeader, key: DataKey, aad: Uint8Array | undefined): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key.key, header.nonce);
  decipher.setAAD(b.subarray(0, HEADER_SIZE));
  if (aad) decipher.setAAD(aad);
  decipher.setAuthTag(b.subarray(b.byteLength - TAG_SIZE));
  const payload = decipher.update(b.subarray(HEADER_SIZE, b.byteLength - TAG_SIZE));
  try {
    decipher.final();
  } catch (err) {
    throw new IntegrityError('block frame failed authentication (tampered or corrupt)', { cause: err });
  }
  return payload;
}

function checkKey(key: DataKey): void {
  if (key.id.byteLength !== 16 || key.key.byteLength !== 32) throw new KeyError('a data key is a 16-byte id and 32 bytes of key');
}
