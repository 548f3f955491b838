import { createRequire } from 'node:module';
import { crc32 } from '../codec/checksum.js';
import type ReedSolomonModule from '@ronomon/reed-solomon';
import { BufferPool } from '../memory/buffer-pool.js';
import { IntegrityError, InvalidArgumentError, UnrecoverableError } from '../errors.js';
import type { Layout } from './layout.js';
import { readShard, SHARD_HEADER_SIZE, writeShard, writeShardHeader, type ShardHeader } from '../shards/shard-format.js';

// The addon is a bare .node file, which ESM cannot import; require loads it.
const ReedSolomon = createRequire(import.meta.url)('@ronomon/reed-solomon') as typeof ReedSolomonModule;

export interface ErasureOptions {
  k: number;
  m: number;
  /** Frames smaller than this are stored as m+1 whole replicas (same loss tolerance, fewer objects). */
  replicaThreshold: number;
}

export const DEFAULT_ERASURE_OPTIONS: ErasureOptions = { k: 4, m: 2, replicaThreshold: 128 * 1024 };

/** Limits the engine supports (the addon goes to 24+6; wider codes are untested and pointless here). */
export const MAX_K = 16;
export const MAX_M = 4;
export const MAX_COPIES = 16;
const MAX_U32 = 0xffffffff;

export type Built = { bytes: Buffer; checksum: number };
type RsLayout = Extract<Layout, { kind: 'rs' }>;
export type HeaderFields = Omit<ShardHeader, 'payloadSize' | 'checksum'>;

/** Pick how a frame of this size is stored. */
export function chooseLayout(frameSize: number, opts: ErasureOptions): Layout {
  checkFrameSize(frameSize);
  if (!Number.isFinite(opts.replicaThreshold) || opts.replicaThreshold < 0) {
    throw new InvalidArgumentError(`replicaThreshold must be a non-negative number, got ${opts.replicaThreshold}`);
  }
  const layout: RsLayout = { kind: 'rs', k: opts.k, m: opts.m };
  checkLayout(layout);
  return frameSize < opts.replicaThreshold ? { kind: 'replica', copies: opts.m + 1 } : layout;
}

/**
 * Bytes of each shard's payload: the frame split k ways, rounded up to the addon's multiple of 8,
 * and never 0 (a zero-length buffer kills the process inside the addon).
 */
export function shardPayloadSize(frameSize: number, k: number): number {
  return Math.max(8, Math.ceil(Math.ceil(frameSize / k) / 8) * 8);
}

/**
 * Rebuild the frame from at least k shard objects keyed by index. Each shard used is verified
 * (IntegrityError names the first bad one); when all data shards are present the frame is just
 * their concatenation and the addon is not called. UnrecoverableError if fewer than needed.
 */
export async function decodeShards(
  shards: Map<number, Uint8Array>,
  layout: Layout,
  frameSize: number,
  /** Where the frame goes (readFrame: pooled memory for a caller that gives it back). */
  alloc: (bytes: number) => Buffer = (bytes) => Buffer.allocUnsafe(bytes),
): Promise<Buffer> {
  checkLayout(layout);
  checkFrameSize(frameSize);
  if (layout.kind === 'replica') {
    const payload = pickReplica(shards, layout, frameSize);
    return Buffer.from(payload);
  }
  const { k } = layout;
  const size = shardPayloadSize(frameSize, k);
  const sources = pickSources(shards, layout, frameSize);
  if ([...sources.keys()].every((i) => i < k)) {
    const frame = alloc(frameSize);
    for (let i = 0, off = 0; i < k && off < frameSize; i++, off += size) {
      const payload = sources.get(i)!;
      frame.set(frameSize - off < size ? payload.subarray(0, frameSize - off) : payload, off);
    }
    return frame;
  }
  // The data area becomes the returned frame; only the parity area is scratch.
  const data = Buffer.allocUnsafe(k * size);
  const parity = scratch.take(layout.m * size);
  try {
    const missingData = range(0, k).filter((i) => !sources.has(i));
    await recompute(layout, size, sources, missingData, data, parity);
  } finally {
    scratch.give(parity);
  }
  return data.subarray(0, frameSize);
}

/**
 * For repair: recompute the shard objects with the given indexes from at least k present ones.
 * RS is deterministic, so the output is byte-identical to what encodeShards produced.
 */
export async function rebuildShards(
  shards: Map<number, Uint8Array>,
  layout: Layout,
  frameSize: number,
  want: number[],
): Promise<Map<number, Built>> {
  checkLayout(layout);
  checkFrameSize(frameSize);
  const total = layout.kind === 'rs' ? layout.k + layout.m : layout.copies;
  for (const i of want) {
    if (!Number.isInteger(i) || i < 0 || i >= total) {
      throw new InvalidArgumentError(`cannot rebuild shard ${i}: layout has shards 0..${total - 1}`);
    }
  }
  const out = new Map<number, Built>();
  if (want.length === 0) return out;
  if (layout.kind === 'replica') {
    const payload = pickReplica(shards, layout, frameSize);
    for (const index of want) out.set(index, writeShard({ ...replicaFields(layout.copies), index, frameSize }, payload));
    return out;
  }
  const { k, m } = layout;
  const size = shardPayloadSize(frameSize, k);
  const sources = pickSources(shards, layout, frameSize);
  const targets = [...new Set(want)].filter((i) => !sources.has(i));
  const area = scratch.take((k + m) * size);
  try {
    const data = area.subarray(0, k * size);
    const parity = area.subarray(k * size, (k + m) * size);
    await recompute(layout, size, sources, targets, data, parity);
    for (const index of want) {
      const [from, off] = index < k ? [data, index * size] : [parity, (index - k) * size];
      out.set(index, buildObject(Buffer.allocUnsafeSlow(SHARD_HEADER_SIZE + size), { kind: 'rs', k, m, index, frameSize }, from, off, size));
    }
    return out;
  } finally {
    scratch.give(area);
  }
}

/**
 * Copy the chosen source payloads into the contiguous data and parity areas and have the addon
 * fill in `targets`. Other slots may hold garbage: the addon reads only source slots.
 */
async function recompute(
  layout: RsLayout,
  size: number,
  sources: Map<number, Buffer>,
  targets: number[],
  data: Buffer,
  parity: Buffer,
): Promise<void> {
  const { k, m } = layout;
  let sourceMask = 0;
  for (const [i, payload] of sources) {
    (i < k ? data : parity).set(payload, (i < k ? i : i - k) * size);
    sourceMask |= 1 << i;
  }
  let targetMask = 0;
  for (const i of targets) targetMask |= 1 << i;
  // A rejected (or synchronously thrown) call has finished with the areas; callers may free them.
  if (targetMask !== 0) await runCoder(k, m, sourceMask, targetMask, data, parity, size);
}

/**
 * Choose k shards to decode from, data shards first (they need no arithmetic), verify each and
 * return their payloads. Only the chosen ones are verified: extra shards cost checksum time.
 */
function pickSources(shards: Map<number, Uint8Array>, layout: RsLayout, frameSize: number): Map<number, Buffer> {
  const { k, m } = layout;
  checkIndexes(shards, k + m);
  const present = [...shards.keys()].sort((a, b) => a - b);
  if (present.length < k) {
    throw new UnrecoverableError(`${present.length} of the ${k} shards needed to decode are present (${present.join(',') || 'none'})`);
  }
  const size = shardPayloadSize(frameSize, k);
  const out = new Map<number, Buffer>();
  for (const index of present.slice(0, k)) {
    out.set(index, verified(shards.get(index)!, { kind: 'rs', k, m, index, frameSize }, size));
  }
  return out;
}

function pickReplica(shards: Map<number, Uint8Array>, layout: Extract<Layout, { kind: 'replica' }>, frameSize: number): Buffer {
  checkIndexes(shards, layout.copies);
  const first = [...shards.keys()].sort((a, b) => a - b)[0];
  if (first === undefined) throw new UnrecoverableError('no replica of the frame is present');
  return verified(shards.get(first)!, { ...replicaFields(layout.copies), index: first, frameSize }, frameSize);
}

/** readShard, plus a check that the shard belongs to this block's layout at this index. */
function verified(bytes: Uint8Array, expect: HeaderFields, payloadSize: number): Buffer {
  let parsed: ReturnType<typeof readShard>;
  try {
    parsed = readShard(bytes);
  } catch (err) {
    throw new IntegrityError(`shard ${expect.index}: ${(err as Error).message}`, { cause: err });
  }
  const h = parsed.header;
  if (
    h.kind !== expect.kind ||
    h.k !== expect.k ||
    h.m !== expect.m ||
    h.index !== expect.index ||
    h.frameSize !== expect.frameSize ||
    h.payloadSize !== payloadSize
  ) {
    throw new IntegrityError(
      `shard ${expect.index}: header (${h.kind} ${h.k}+${h.m} #${h.index}, frame ${h.frameSize}, payload ${h.payloadSize}) ` +
        `does not match the block (${expect.kind} ${expect.k}+${expect.m} #${expect.index}, frame ${expect.frameSize}, payload ${payloadSize})`,
    );
  }
  return parsed.payload;
}

/** Fill `bytes` (header + size) as one shard object: its header, then `size` bytes of `area` from `offset`. */
function buildObject(bytes: Buffer, fields: HeaderFields, area: Buffer, offset: number, size: number): Built {
  const payload = area.subarray(offset, offset + size);
  bytes.set(payload, SHARD_HEADER_SIZE);
  const checksum = crc32(payload);
  writeShardHeader(bytes, fields, size, checksum);
  return { bytes, checksum };
}

/** Coding areas, reused across calls; a few, and none huge, so idle memory stays small. */
const scratch = new BufferPool({ maxBuffers: 2, maxBufferBytes: 8 * 1024 * 1024, grain: 256 * 1024 });

const contexts = new Map<string, Buffer>();

/** The addon's context for k+m, created once: building it inverts matrices. */
function contextFor(k: number, m: number): Buffer {
  const key = `${k}+${m}`;
  let ctx = contexts.get(key);
  if (!ctx) {
    ctx = ReedSolomon.create(k, m);
    contexts.set(key, ctx);
  }
  return ctx;
}

export function runCoder(
  k: number,
  m: number,
  sources: number,
  targets: number,
  data: Buffer,
  parity: Buffer,
  size: number,
): Promise<void> {
  // Both areas are at least 8 bytes by construction (shardPayloadSize): never zero-length.
  return new Promise((resolve, reject) => {
    ReedSolomon.encode(contextFor(k, m), sources, targets, data, 0, k * size, parity, 0, m * size, (err) =>
      err ? reject(err) : resolve(),
    );
  });
}

export function checkLayout(layout: Layout): void {
  if (layout.kind === 'rs') {
    const { k, m } = layout;
    if (!Number.isInteger(k) || k < 1 || k > MAX_K || !Number.isInteger(m) || m < 1 || m > MAX_M) {
      throw new InvalidArgumentError(`unsupported erasure code ${k}+${m}: k must be 1..${MAX_K}, m 1..${MAX_M}`);
    }
  } else if (layout.kind === 'replica') {
    const { copies } = layout;
    if (!Number.isInteger(copies) || copies < 1 || copies > MAX_COPIES) {
      throw new InvalidArgumentError(`unsupported replica count ${copies}: must be 1..${MAX_COPIES}`);
    }
  } else {
    throw new InvalidArgumentError(`unknown layout kind ${(layout as { kind: unknown }).kind}`);
  }
}

export function checkFrameSize(frameSize: number): void {
  // Sizes are u32 in the header, and k * shard size must fit the addon's u32 arguments.
  if (!Number.isInteger(frameSize) || frameSize < 0 || frameSize > MAX_U32 - MAX_K * 8) {
    throw new InvalidArgumentError(`frame size ${frameSize} out of range`);
  }
}

function checkIndexes(shards: Map<number, Uint8Array>, total: number): void {
  for (const i of shards.keys()) {
    if (!Number.isInteger(i) || i < 0 || i >= total) {
      throw new InvalidArgumentError(`shard index ${i} out of range: layout has shards 0..${total - 1}`);
    }
  }
}

export const replicaFields = (copies: number) => ({ kind: 'replica' as const, k: 1, m: copies - 1 });
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
export const maskOf = (from: number, to: number): number => range(from, to).reduce((mask, i) => mask | (1 << i), 0);
