import { crc32 } from '../codec/checksum.js';

/**
 * On-node format of a pack: entries one after the other, nothing else, so a pack is
 * self-describing (its index is rebuilt by reading it front to back) and a torn tail is simply
 * the first entry that does not check out.
 *
 *   offset size field
 *        0    4 magic 'CFP1'
 *        4    1 version (1)
 *        5    1 reserved, zero
 *        6    2 name length n, u16 BE
 *        8    4 length of the shard object, u32 BE
 *       12    4 CRC-32 of the shard object
 *       16    4 CRC-32 of bytes 0..15 and of the name
 *       20    n the shard object's name (shard-key.ts), ASCII
 *     20+n  len the shard object itself (its own header and CRCs included)
 *
 * A read of a packed shard fetches just [20+n, 20+n+len) of the pack: the shard object, whose
 * own CRCs and metadata's checksum check it as for an unpacked one.
 */
export const ENTRY_HEADER_SIZE = 20;
const MAGIC = 0x43465031; // 'CFP1'
const VERSION = 1;

/** Where a packed shard object sits: the pack's object name and the byte range of the shard in it. */
export interface PackRef {
  object: string;
  offset: number;
  length: number;
}

/** One entry as its bytes (header, name, shard object copied in): the packer keeps it past the caller's put. */
export function encodeEntry(name: string, parts: readonly Uint8Array[]): { bytes: Buffer; shardAt: number; length: number } {
  const nameBytes = Buffer.from(name, 'latin1');
  const length = parts.reduce((n, p) => n + p.byteLength, 0);
  const shardAt = ENTRY_HEADER_SIZE + nameBytes.length;
  const bytes = Buffer.allocUnsafe(shardAt + length);
  let at = shardAt;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.byteLength;
  }
  bytes.writeUInt32BE(MAGIC, 0);
  bytes[4] = VERSION;
  bytes[5] = 0;
  bytes.writeUInt16BE(nameBytes.length, 6);
  bytes.writeUInt32BE(length, 8);
  bytes.writeUInt32BE(crc32(bytes.subarray(shardAt)), 12);
  nameBytes.copy(bytes, ENTRY_HEADER_SIZE);
  bytes.writeUInt32BE(headerCrc(bytes, nameBytes.length), 16);
  return { bytes, shardAt, length };
}

function headerCrc(bytes: Buffer, nameLength: number): number {
  return crc32(Buffer.concat([bytes.subarray(0, 16), bytes.subarray(ENTRY_HEADER_SIZE, ENTRY_HEADER_SIZE + nameLength)]));
}

export interface ScannedEntry {
  /** The shard object's name. */
  name: string;
  /** Where the shard object is in the pack. */
  offset: number;
  length: number;
  /** Whether the shard object's bytes match the entry's CRC (false: bitrot in this entry). */
  intact: boolean;
}

export interface ScannedPack {
  entries: ScannedEntry[];
  /** Bytes of the pack that hold whole entries; less than its size when the tail is torn. */
  validBytes: number;
  /** Whether bytes after the last whole entry were ignored (a crash mid-append, or a truncation). */
  tornTail: boolean;
}

/**
 * The entries of a pack, front to back. A header that fails its CRC, or an entry running past the
 * end, ends the scan there: everything from it on is a torn tail and ignored (a header cannot be
 * trusted to say where the next entry starts). A shard object that fails its CRC under a sound
 * header is reported (`intact: false`) and skipped over.
 */
export function scanPack(bytes: Buffer): ScannedPack {
  const entries: ScannedEntry[] = [];
  let at = 0;
  while (at + ENTRY_HEADER_SIZE <= bytes.length) {
    if (bytes.readUInt32BE(at) !== MAGIC || bytes[at + 4] !== VERSION) break;
    const nameLength = bytes.readUInt16BE(at + 6);
    const length = bytes.readUInt32BE(at + 8);
    const offset = at + ENTRY_HEADER_SIZE + nameLength;
    if (offset + length > bytes.length) break;
    const entry = bytes.subarray(at);
    if (headerCrc(entry, nameLength) !== bytes.readUInt32BE(at + 16)) break;
    const name = bytes.toString('latin1', at + ENTRY_HEADER_SIZE, offset);
    const intact = crc32(bytes.subarray(offset, offset + length)) === bytes.readUInt32BE(at + 12);
    entries.push({ name, offset, length, intact });
    at = offset + length;
  }
  return { entries, validBytes: at, tornTail: at < bytes.length };
}
