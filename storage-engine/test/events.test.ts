/** What the engine tells an observer (EngineEvents) and what a write needs (writeQuorum). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BlockPut } from '../src/events.js';
import { FsNode } from '../src/nodes/fs.js';
import { pieces, randomData, textBytes } from './fixtures/data.js';
import { engineForTest } from './fixtures/engine.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

describe('engine events', () => {
  const root = useTempDir('coffer-events-', { each: true });
  const nodesOf = (n: number) => Array.from({ length: n }, (_, i) => new FsNode(`fs-${i}`, join(root(), `n${i}`)));

  it('reports each stage and each put: stored, then deduplicated, with frame and shard bytes', async () => {
    const stages = new Map<string, number>();
    const puts: BlockPut[] = [];
    const engine = engineForTest(nodesOf(6), { events: { stage: (s, ns) => stages.set(s, (stages.get(s) ?? 0) + ns), put: (p) => puts.push(p) } });
    const data = Buffer.concat([randomData(3 * 1024 * 1024), textBytes(2 * 1024 * 1024, 3)]);
    const written = await engine.files.write('alice', pieces(data, 1 << 20));
    const stored = puts.length;
    expect(stored).toBe(written.blocks.length);
    expect(puts.every((p) => p.stored)).toBe(true);
    expect(puts.reduce((n, p) => n + p.size, 0)).toBe(data.length);
    // 4+2 on six nodes: the shards hold half again the frame; the text compresses.
    for (const p of puts) expect(p.shardBytes).toBeGreaterThanOrEqual(p.frameSize * 1.5);
    expect(puts.some((p) => p.frameSize < p.size / 2)).toBe(true);
    await engine.files.write('alice', pieces(data, 1 << 20));
    expect(puts.slice(stored).every((p) => !p.stored)).toBe(true);
    await engine.blocks.get(written.blocks[0]!.key);
    for (const s of ['chunk', 'sha256', 'compress+encrypt', 'erasure', 'store', 'fetch+decode shards', 'decrypt+decompress+verify']) {
      expect(stages.get(s), s).toBeGreaterThan(0);
    }
  });

  it('says what a write needs: 4+2 and five shards with six nodes, 2+1 and three below', () => {
    expect(engineForTest(nodesOf(6)).blocks.writeQuorum()).toEqual({ k: 4, m: 2, shards: 5 });
    expect(engineForTest(nodesOf(3)).blocks.writeQuorum()).toEqual({ k: 2, m: 1, shards: 3 });
  });
});
