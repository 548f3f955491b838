import { crc32 } from '../codec/checksum.js';
import { FormatError, IntegrityError } from '../errors.js';

/**
 * On-node format of one shard object: a fixed header, then the payload. The header carries its
 * own CRC, so bitrot anywhere in a shard is found before it is fed to the decoder (a corrupt
 * source shard would otherwise poison every shard rebuilt from it).
 *
 *   offset size field
 *        0    4 magic 'CFS1'
 *        4    1 version (1)
 *        5    1 kind: 0 = Reed-Solomon shard, 1 = whole replica
 *        6    1 k (data shards; 1 for a replica)
 *        7    1 m (parity shards; copies - 1 for a replica)
 *        8    1 index (0..k+m-1; data shards first)
 *        9    3 reserved, zero
 *       12    4 frameSize   u32 BE: bytes of the frame before padding (lets decode trim)
 *       16    4 payloadSize u32 BE: bytes after the header
 *       20    4 payload CRC-32 u32 BE
 *       24    4 header CRC-32 u32 BE, over bytes 0..23
 */
export const SHARD_HEADER_SIZE = 28;

const MAGIC = 0x43465331; // 'CFS1'
const VERSION = 1;
const HEADER_CRC_AT = 24;

export interface ShardHeader {
  kind: 'rs' | 'replica';
  k: number;
  m: number;
  index: number;
  frameSize: number;
  payloadSize: number;
  /** CRC-32 of the payload; metadata records it so a read can tell a stale or foreign shard. */
  checksum: number;
}

/** Build one shard object: header followed by a copy of `payload`. */
export function writeShard(
  header: Omit<ShardHeader, 'payloadSize' | 'checksum'>,
  payload: Uint8Array,
): { bytes: Buffer; checksum: number } {
  const bytes = Buffer.allocUnsafe(SHARD_HEADER_SIZE + payload.byteLength);
  bytes.set(payload, SHARD_HEADER_SIZE);
  const checksum = crc32(payload);
  writeShardHeader(bytes, header, payload.byteLength, checksum);
  return { bytes, checksum };
}

/**
 * Write the header into the first SHARD_HEADER_SIZE bytes of `target`, for callers that placed
 * the payload themselves (and so computed its CRC already) to save a copy.
 */
export function writeShardHeader(
  target: Buffer,
  header: Omit<ShardHeader, 'payloadSize' | 'checksum'>,
  payloadSize: number,
  checksum: number,
): void {
  target.writeUInt32BE(MAGIC, 0);
  target[4] = VERSION;
  target[5] = header.kind === 'rs' ? 0 : 1;
  target[6] = header.k;
  target[7] = header.m;
  target[8] = header.index;
  target[9] = 0;
  target[10] = 0;
  target[11] = 0;
  target.writeUInt32BE(header.frameSize, 12);
  target.writeUInt32BE(payloadSize, 16);
  target.writeUInt32BE(checksum >>> 0, 20);
  target.writeUInt32BE(crc32(target.subarray(0, HEADER_CRC_AT)), HEADER_CRC_AT);
}

/**
 * Parse and verify a shard object: FormatError if malformed, truncated or not ours; IntegrityError
 * if either CRC fails. Returns a view of the payload (no copy).
 */
export function readShard(bytes: Uint8Array): { header: ShardHeader; payload: Buffer } {
  if (bytes.byteLength < SHARD_HEADER_SIZE) {
    throw new FormatError(`shard object of ${bytes.byteLength} bytes is shorter than its ${SHARD_HEADER_SIZE}-byte header`);
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.readUInt32BE(0) !== MAGIC) throw new FormatError('not a shard object (bad magic)');
  // Check the header CRC before trusting any field, so bitrot reads as bitrot, not as a bad format.
  if (crc32(buf.subarray(0, HEADER_CRC_AT)) !== buf.readUInt32BE(HEADER_CRC_AT)) {
    throw new IntegrityError('shard header checksum mismatch');
  }
  const version = buf[4]!;
  if (version !== VERSION) throw new FormatError(`unknown shard format version ${version}`);
  const kindByte = buf[5]!;
  if (kindByte > 1) throw new FormatError(`unknown shard kind ${kindByte}`);
  const kind = kindByte === 0 ? 'rs' : 'replica';
  const k = buf[6]!;
  const m = buf[7]!;
  const index = buf[8]!;
  if (buf[9] !== 0 || buf[10] !== 0 || buf[11] !== 0) throw new FormatError('shard header reserved bytes are not zero');
  if (k < 1 || (kind === 'rs' && m < 1) || (kind === 'replica' && k !== 1)) {
    throw new FormatError(`shard header has impossible k=${k} m=${m} for kind ${kind}`);
  }
  if (index >= k + m) throw new FormatError(`shard index ${index} out of range for k=${k} m=${m}`);
  const frameSize = buf.readUInt32BE(12);
  const payloadSize = buf.readUInt32BE(16);
  const checksum = buf.readUInt32BE(20);
  if (payloadSize !== buf.byteLength - SHARD_HEADER_SIZE) {
    throw new FormatError(
      `shard object truncated or padded: header says ${payloadSize} payload bytes, object has ${buf.byteLength - SHARD_HEADER_SIZE}`,
    );
  }
  if (kind === 'replica' ? payloadSize !== frameSize : payloadSize * k < frameSize) {
    throw new FormatError(`shard payload of ${payloadSize} bytes cannot hold its share of a ${frameSize}-byte frame`);
  }
  const payload = buf.subarray(SHARD_HEADER_SIZE);
  if (crc32(payload) !== checksum) throw new IntegrityError(`shard ${index} payload checksum mismatch`);
  return { header: { kind, k, m, index, frameSize, payloadSize, checksum }, payload };
}
