import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { giveBlockMemory, takeBlockMemory } from '../src/memory/block-memory.js';
import { InvalidArgumentError, NodeDownError, NotFoundError } from '../src/errors.js';
import { FsNode } from '../src/nodes/fs.js';
import type { StorageNode } from '../src/nodes/node.js';
import { S3Node } from '../src/nodes/s3.js';
import { s3NodesForTest, type S3TestNodes } from './fixtures/s3.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

const local = !process.env.COFFER_TEST_S3_URLS;

async function listAll(node: StorageNode, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const k of node.list(prefix)) keys.push(k);
  return keys.sort();
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

/** The behaviour every StorageNode driver owes the engine. Each test works under its own prefix. */
function contract(
  name: string,
  setup: () => Promise<{ node: StorageNode; cleanup(): Promise<void> }>,
  opts: { atomicOverwrite: boolean },
): void {
  describe(`StorageNode contract: ${name}`, () => {
    let node: StorageNode;
    let cleanup: () => Promise<void>;
    let n = 0;
    const fresh = () => `t${n++}/`;

    beforeAll(async () => {
      ({ node, cleanup } = await setup());
    });
    afterAll(async () => cleanup?.());

    it('stores and returns objects byte for byte, with their size', async () => {
      const p = fresh();
      const big = randomBytes(300_000);
      const small = Uint8Array.from([1, 2, 3]);
      await node.put(`${p}big`, big);
      await node.put(`${p}small`, small); // a plain Uint8Array, not a Buffer
      expect((await node.get(`${p}big`)).equals(big)).toBe(true);
      expect([...(await node.get(`${p}small`))]).toEqual([1, 2, 3]);
      expect(await node.head(`${p}big`)).toEqual({ size: 300_000 });
    });

    it('stores an object given as parts (header and payload) as their concatenation, from block memory or not', async () => {
      const p = fresh();
      const head = randomBytes(28);
      const body = randomBytes(200_000);
      const piece = takeBlockMemory(28 + 200_000);
      piece.set(head);
      piece.set(body, 28);
      try {
        await node.put(`${p}parts`, [head, body]);
        await node.put(`${p}arena`, [piece.subarray(0, 28), piece.subarray(28)]);
        await node.put(`${p}empty-part`, [head, Buffer.alloc(0), body]);
      } finally {
        giveBlockMemory(piece);
      }
      const whole = Buffer.concat([head, body]);
      for (const k of ['parts', 'arena', 'empty-part']) expect((await node.get(`${p}${k}`)).equals(whole), k).toBe(true);
    });

    it('reads byte ranges, clips the end, refuses a start past the end', async () => {
      const p = fresh();
      const data = randomBytes(10_000);
      await node.put(`${p}obj`, data);
      for (const [start, end] of [[0, 1], [0, 10_000], [1234, 5678], [9_999, 10_000], [500, 500]] as const) {
        expect((await node.get(`${p}obj`, { start, end })).equals(data.subarray(start, end))).toBe(true);
      }
      expect((await node.get(`${p}obj`, { start: 9_000, end: 20_000 })).equals(data.subarray(9_000))).toBe(true);
      await expect(node.get(`${p}obj`, { start: 10_000, end: 10_001 })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(node.get(`${p}obj`, { start: 5, end: 4 })).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(node.get(`${p}obj`, { start: -1, end: 4 })).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    it('overwrites an object whole, and keeps empty objects', async () => {
      const p = fresh();
      await node.put(`${p}k`, randomBytes(5_000));
      const second = randomBytes(100);
      await node.put(`${p}k`, second);
      expect((await node.get(`${p}k`)).equals(second)).toBe(true);
      expect(await node.head(`${p}k`)).toEqual({ size: 100 });
      await node.put(`${p}empty`, new Uint8Array(0));
      expect((await node.get(`${p}empty`)).length).toBe(0);
      expect(await node.head(`${p}empty`)).toEqual({ size: 0 });
    });

    it('reports a missing object as NotFoundError / undefined, and deletes idempotently', async () => {
      const p = fresh();
      await expect(node.get(`${p}none`)).rejects.toBeInstanceOf(NotFoundError);
      await expect(node.get(`${p}none`, { start: 0, end: 3 })).rejects.toBeInstanceOf(NotFoundError);
      await expect(node.get(`${p}none`, { start: 0, end: 0 })).rejects.toBeInstanceOf(NotFoundError);
      expect(await node.head(`${p}none`)).toBeUndefined();
      await node.delete(`${p}none`);
      await node.put(`${p}k`, randomBytes(10));
      await node.delete(`${p}k`);
      await node.delete(`${p}k`);
      await expect(node.get(`${p}k`)).rejects.toBeInstanceOf(NotFoundError);
      expect(await node.head(`${p}k`)).toBeUndefined();
    });

    it('refuses keys outside [a-z0-9._/-], with .. segments, or rooted', async () => {
      const bad = ['', 'A', 'a b', '../x', 'a/../b', '/x', 'a//b', 'a/', './a', 'ä', 'a\\b', 'x'.repeat(300)];
      for (const key of bad) {
        await expect(node.put(key, Buffer.from('x')), key).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(node.get(key), key).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(node.head(key), key).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(node.delete(key), key).rejects.toBeInstanceOf(InvalidArgumentError);
      }
      await expect(listAll(node, '../')).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(listAll(node, '/a')).rejects.toBeInstanceOf(InvalidArgumentError);
    });

    it('lists keys by string prefix, across directories', async () => {
      const p = fresh();
      const keys = ['aa/x1', 'aa/x2', 'aa/y/z', 'ab/q', 'b', 'bc.1.0'].map((k) => p + k);
      await Promise.all(keys.map((k) => node.put(k, Buffer.from(k))));
      expect(await listAll(node, p)).toEqual([...keys].sort());
      expect(await listAll(node, `${p}a`)).toEqual(keys.slice(0, 4));
      expect(await listAll(node, `${p}aa/`)).toEqual(keys.slice(0, 3));
      expect(await listAll(node, `${p}aa/x`)).toEqual(keys.slice(0, 2));
      expect(await listAll(node, `${p}aa/x1`)).toEqual(keys.slice(0, 1));
      expect(await listAll(node, `${p}b`)).toEqual(keys.slice(4));
      expect(await listAll(node, `${p}zz/`)).toEqual([]);
      await node.delete(keys[0]!);
      expect(await listAll(node, `${p}aa/`)).toEqual(keys.slice(1, 3));
    });

    // s3rver streams a PUT straight into the object's file, so concurrent PUTs of one key can
    // interleave there; real S3 and MinIO, and FsNode (temp file + rename), are atomic.
    it.runIf(opts.atomicOverwrite)('takes concurrent writes of one key whole (last writer wins, never a mix)', async () => {
      const p = fresh();
      const versions = Array.from({ length: 6 }, () => randomBytes(200_000));
      await Promise.all(versions.map((v) => node.put(`${p}k`, v)));
      const got = await node.get(`${p}k`);
      expect(versions.some((v) => v.equals(got))).toBe(true);
      expect(await listAll(node, p)).toEqual([`${p}k`]);
    });
  });
}

// ---------------------------------------------------------------- local directories

const fsRoot = useTempDir('coffer-fsnode-');

contract('FsNode', async () => ({ node: new FsNode('fs', join(fsRoot(), 'contract')), cleanup: async () => undefined }), {
  atomicOverwrite: true,
});

// ---------------------------------------------------------------- S3 (s3rver processes, or COFFER_TEST_S3_URLS)

contract(
  local ? 'S3Node on a local s3rver process' : 'S3Node on COFFER_TEST_S3_URLS',
  async () => {
    const env = await s3NodesForTest(1);
    return { node: env.nodes[0]!, cleanup: env.cleanup };
  },
  { atomicOverwrite: !local },
);

describe('S3Node specifics', () => {
  let env: S3TestNodes;
  beforeAll(async () => {
    env = await s3NodesForTest(1);
  });
  afterAll(async () => env?.cleanup());

  it('parses node URLs', () => {
    const n = S3Node.fromUrl('x', 'https://AK%2B1:s%2Fecret@minio.example:9443/bkt/some/prefix?region=eu-west-1');
    expect(n.bucket).toBe('bkt');
    expect(n.keyPrefix).toBe('some/prefix/');
    expect(() => S3Node.fromUrl('x', 'http://a:b@host:9000/')).toThrow(InvalidArgumentError);
    expect(() => S3Node.fromUrl('x', 'ftp://a:b@host/bkt')).toThrow(InvalidArgumentError);
  });

  it('is down, with a message naming the credentials, when the secret is wrong (signatures are checked)', async () => {
    const good = env.nodes[0]!;
    await good.put('cred/k', Buffer.from('x'));
    const u = new URL(local ? env.cluster!.nodes[0]!.url : process.env.COFFER_TEST_S3_URLS!.split(',')[0]!);
    u.password = 'WRONG-SECRET';
    const bad = S3Node.fromUrl('bad', u.toString(), { keyPrefix: good.keyPrefix });
    try {
      for (const call of [() => bad.put('cred/k2', Buffer.from('x')), () => bad.get('cred/k'), () => bad.head('cred/k')]) {
        const err = await call().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(NodeDownError);
        expect((err as Error).message).toMatch(/credentials/);
      }
    } finally {
      bad.close();
    }
  });

  it('stores a 6 MiB object with one PUT (s3rver has no multipart upload)', async () => {
    const node = env.nodes[0]!;
    const data = randomBytes(6 * 1024 * 1024);
    await node.put('big/one', data);
    expect((await node.get('big/one')).equals(data)).toBe(true);
    expect((await node.get('big/one', { start: 4_000_000, end: 4_000_100 })).equals(data.subarray(4_000_000, 4_000_100))).toBe(true);
  });

  it('lists past 1,000 keys (continuation pages)', async () => {
    const node = env.nodes[0]!;
    const keys = Array.from({ length: 1_100 }, (_, i) => `many/${String(i).padStart(4, '0')}`);
    await pool(keys, 16, (k) => node.put(k, Buffer.from(k)));
    const listed = await listAll(node, 'many/');
    expect(listed).toEqual(keys);
  }, 60_000);
});

describe.runIf(local)('S3Node on a failing local process', () => {
  let env: S3TestNodes;
  beforeAll(async () => {
    env = await s3NodesForTest(1, { timeoutMs: 1_000 });
  });
  afterAll(async () => env?.cleanup());

  it('fails promptly with NodeDownError when the process is killed, and recovers after a restart', async () => {
    const node = env.nodes[0]!;
    await node.put('kill/k', Buffer.from('before'));
    await node.get('kill/k'); // leaves a keep-alive connection that the kill will reset
    await env.cluster!.kill(0);
    for (const call of [() => node.get('kill/k'), () => node.put('kill/k2', Buffer.from('x')), () => node.head('kill/k'), () => listAll(node, '')]) {
      const t0 = Date.now();
      await expect(call()).rejects.toBeInstanceOf(NodeDownError);
      expect(Date.now() - t0).toBeLessThan(2_000);
    }
    await env.cluster!.start(0);
    expect((await node.get('kill/k')).toString()).toBe('before');
  });

  it('fails within the timeout when the process hangs (SIGSTOP), and works again after SIGCONT', async () => {
    const node = env.nodes[0]!;
    await node.put('hang/k', Buffer.from('still here'));
    env.cluster!.pause(0);
    try {
      const attempts = [() => node.get('hang/k'), () => node.put('hang/k2', randomBytes(100_000)), () => node.head('hang/k')];
      const results = await Promise.all(attempts.map(async (call) => {
        const t0 = Date.now();
        const err = await call().then(() => undefined, (e: unknown) => e);
        return { err, ms: Date.now() - t0 };
      }));
      for (const { err, ms } of results) {
        expect(err).toBeInstanceOf(NodeDownError);
        expect(ms).toBeGreaterThanOrEqual(900);
        expect(ms).toBeLessThan(2_500); // timeoutMs 1 s + slack
      }
    } finally {
      env.cluster!.resume(0);
    }
    expect((await node.get('hang/k')).toString()).toBe('still here');
  });

  it('a wiped restart (replaced disk) answers NotFoundError for old objects', async () => {
    const node = env.nodes[0]!;
    await node.put('wipe/k', Buffer.from('x'));
    await env.cluster!.start(0, { wipe: true });
    await expect(node.get('wipe/k')).rejects.toBeInstanceOf(NotFoundError);
    await node.put('wipe/k', Buffer.from('y'));
    expect((await node.get('wipe/k')).toString()).toBe('y');
  });
});

describe('S3Node retry policy (against a scripted HTTP server)', () => {
  /** Answers HEAD requests: the i-th request (from 0) is handled by script[i] or, past its end, with 200. */
  async function scripted(script: Array<'500' | 'reset' | '403'>): Promise<{ server: Server; url: string; requests: () => number }> {
    let seen = 0;
    const server = createServer((req, res) => {
      const step = script[seen++];
      if (step === 'reset') return req.socket.destroy();
      if (step === '500') return res.writeHead(500).end();
      if (step === '403') return res.writeHead(403).end();
      res.writeHead(200, { 'content-length': '5', etag: '"abc"', 'last-modified': new Date().toUTCString() }).end();
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    return { server, url: `http://K:S@127.0.0.1:${port}/bkt`, requests: () => seen };
  }

  it('retries once after a 500 or a connection reset, then succeeds', async () => {
    for (const failure of ['500', 'reset'] as const) {
      const s = await scripted([failure]);
      const node = S3Node.fromUrl('r', s.url);
      try {
        expect(await node.head('k')).toEqual({ size: 5 });
        expect(s.requests()).toBe(2);
      } finally {
        node.close();
        s.server.close();
      }
    }
  });

  it('gives up with NodeDownError when failures outlast the retries, and never retries a 403', async () => {
    const s = await scripted(['500', '500', '500', '403']);
    const node = S3Node.fromUrl('r', s.url, { retries: 1 });
    try {
      await expect(node.head('k')).rejects.toBeInstanceOf(NodeDownError);
      expect(s.requests()).toBe(2);
      await expect(node.head('k')).rejects.toBeInstanceOf(NodeDownError); // 500, then the 403
      expect(s.requests()).toBe(4);
      expect(await node.head('k')).toEqual({ size: 5 });
    } finally {
      node.close();
      s.server.close();
    }
  });
});
