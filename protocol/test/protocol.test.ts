/**
 * The protocol package on its own: browser-safe (it imports only zod, and typechecks with the
 * web platform's globals and no Node types), one content-hash rule that every implementation
 * agrees with, operations that are well formed, and a document that builds the same every time.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  ALL_OPERATIONS,
  CHUNKER_PARAMETERS,
  contentHash,
  contentHashInput,
  contentHashWebCrypto,
  ERROR_CODE_LIST,
  MAX_BLOCK_BYTES,
  MAX_COMMIT_BLOCKS,
  MAX_FILE_BYTES,
  decodeEntryPack,
  entryOverhead,
  encodeEntryPack,
  entryPackBytes,
  entryPackPieces,
  openApiDocument,
  pathOf,
  routePath,
} from '@coffer/protocol';

const SRC = new URL('../src/', import.meta.url);
const node = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function sources(dir: URL): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...(await sources(new URL(`${e.name}/`, dir))));
    else if (e.name.endsWith('.ts')) out.push(join(dir.pathname, e.name));
  }
  return out;
}

describe('the protocol package', () => {
  it('imports nothing but zod and its own files, and names no Node global', async () => {
    const files = await sources(SRC);
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const text = await readFile(f, 'utf8');
      for (const m of text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        expect(m[1] === 'zod' || m[1]!.startsWith('./') || m[1]!.startsWith('../'), `${f} imports ${m[1]}`).toBe(true);
      }
      expect(text, f).not.toMatch(/\b(Buffer|process|require|__dirname)\b[.(]/);
    }
  });

  it('typechecks as browser code (DOM globals, no Node types)', { timeout: 60_000 }, async () => {
    const tsc = new URL('../../node_modules/typescript/bin/tsc', import.meta.url).pathname;
    const r = await promisify(execFile)(process.execPath, [tsc, '--noEmit', '-p', new URL('../tsconfig.json', import.meta.url).pathname]).then(
      () => '',
      (err: { stdout?: string }) => err.stdout ?? String(err),
    );
    expect(r).toBe('');
  });
});

describe('the block rules', () => {
  const a = 'ab'.repeat(32);
  const b = 'CD'.repeat(32);

  it('names content by SHA-256 over the raw block hashes in order, whoever computes it', async () => {
    const blocks = [{ hash: a }, { hash: b }];
    const want = node(Buffer.concat([Buffer.from(a, 'hex'), Buffer.from(b, 'hex')]));
    expect(contentHash(blocks, node)).toBe(want);
    expect(await contentHashWebCrypto(blocks)).toBe(want);
    expect(contentHash([], node)).toBe(node(new Uint8Array(0)));
    expect(contentHash([{ hash: b }, { hash: a }], node)).not.toBe(want);
    expect(contentHashInput(blocks).byteLength).toBe(64);
    expect(() => contentHashInput([{ hash: 'xyz' }])).toThrow(/SHA-256/);
  });

  it('derives the limits from the chunker parameters', () => {
    expect(CHUNKER_PARAMETERS.minSize < CHUNKER_PARAMETERS.avgSize && CHUNKER_PARAMETERS.avgSize < CHUNKER_PARAMETERS.maxSize).toBe(true);
    expect(MAX_BLOCK_BYTES).toBeGreaterThan(CHUNKER_PARAMETERS.maxSize);
    expect(MAX_COMMIT_BLOCKS * CHUNKER_PARAMETERS.minSize).toBeGreaterThanOrEqual(MAX_FILE_BYTES);
  });
});

describe('entry packs', () => {
  it('go out as pieces that are the pack, each body as it is (not copied), and decode back', () => {
    const raw = new Uint8Array(3000).fill(7);
    const delta = new Uint8Array(40).fill(9);
    const entries = [
      { hash: 'ab'.repeat(32), size: 3000, encoding: 'identity' as const, body: raw },
      { hash: 'cd'.repeat(32), size: 5000, encoding: 'zstd-delta' as const, bases: ['ef'.repeat(32), '01'.repeat(32)], body: delta },
    ];
    const pieces = entryPackPieces(entries);
    expect(pieces).toContain(raw);
    expect(pieces).toContain(delta);
    const joined = Buffer.concat(pieces);
    expect(joined.byteLength).toBe(entryPackBytes(entries));
    expect(Buffer.from(encodeEntryPack(entries)).equals(joined)).toBe(true);
    const back = decodeEntryPack(joined);
    if (!('entries' in back)) throw new Error(back.fault);
    expect(back.entries.map((e) => [e.hash, e.size, e.encoding, e.bases ?? [], e.body.byteLength])).toEqual(entries.map((e) => [e.hash, e.size, e.encoding, e.bases ?? [], e.body.byteLength]));
  });
});

describe('lean entry packs (CFE2)', () => {
  const raw = new Uint8Array(300_000).fill(7);
  const delta = new Uint8Array(40).fill(9);
  const entries = [
    { hash: 'ab'.repeat(32), size: raw.byteLength, encoding: 'identity' as const, body: raw },
    { hash: 'cd'.repeat(32), size: 5000, encoding: 'zstd-delta' as const, bases: ['ef'.repeat(32), '01'.repeat(32)], body: delta },
    { hash: '23'.repeat(32), size: 200, encoding: 'zstd' as const, body: delta.subarray(0, 3) },
  ];

  it('frame a raw block in 4 bytes, name no hash, and decode back', () => {
    const joined = Buffer.concat(entryPackPieces(entries, 'lean'));
    expect(joined.subarray(0, 4).toString()).toBe('CFE2');
    expect(joined.byteLength).toBe(entryPackBytes(entries, 'lean'));
    expect(Buffer.from(encodeEntryPack(entries, 'lean')).equals(joined)).toBe(true);
    // flags, a 3-byte length: the raw entry's framing; nothing of its hash anywhere.
    expect(entryOverhead(entries[0]!, 'lean')).toBe(4);
    expect(joined.includes(Buffer.from('ab'.repeat(32), 'hex'))).toBe(false);
    expect(entryPackBytes(entries, 'lean')).toBeLessThan(entryPackBytes(entries) - 3 * 32);
    const back = decodeEntryPack(joined);
    if (!('entries' in back)) throw new Error(back.fault);
    expect(back.entries.map((e) => [e.hash, e.size, e.encoding, e.bases ?? [], e.body.byteLength])).toEqual(entries.map((e) => [undefined, e.size, e.encoding, e.bases ?? [], e.body.byteLength]));
  });

  it('refuse bad framing: cut short anywhere, unknown encodings, bases where none belong, overlong lengths', () => {
    const joined = Buffer.concat(entryPackPieces(entries, 'lean'));
    for (const at of [5, 6, 300_005, 300_010, 300_050, joined.byteLength - 1]) expect(decodeEntryPack(joined.subarray(0, at))).toHaveProperty('fault');
    const bad = (bytes: number[]) => decodeEntryPack(Uint8Array.from([0x43, 0x46, 0x45, 0x32, ...bytes]));
    expect(bad([0x03, 0x01, 0x00])).toHaveProperty('fault'); // encoding 3
    expect(bad([0x04, 0x01, 0x00])).toHaveProperty('fault'); // a raw entry with a base
    expect(bad([0x02, 0x01, 0x01, 0x00])).toHaveProperty('fault'); // a delta without bases
    expect(bad([0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])).toHaveProperty('fault'); // a length past 5 bytes
    expect(bad([0x00, 0x00])).toHaveProperty('fault'); // size 0
    expect(bad([0x01, 0x05, 0x00])).toHaveProperty('fault'); // an empty body
    expect(bad([0x00, 0x02, 0x61, 0x62])).toEqual({ entries: [{ size: 2, encoding: 'identity', body: Uint8Array.from([0x61, 0x62]) }] });
  });
});

describe('the operations', () => {
  it('are unique by id and by method and path, and their path parameters are their params', () => {
    const ids = new Set<string>();
    const routes = new Set<string>();
    for (const op of ALL_OPERATIONS) {
      expect(ids.has(op.id), op.id).toBe(false);
      ids.add(op.id);
      const route = `${op.method} ${op.path}`;
      expect(routes.has(route), route).toBe(false);
      routes.add(route);
      const named = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      expect(Object.keys(op.params?.shape ?? {}).sort(), op.id).toEqual(named);
      expect(routePath(op)).not.toMatch(/[{}]/);
    }
    expect(ALL_OPERATIONS.length).toBeGreaterThanOrEqual(55);
  });

  it('each answer something that is not an error, and give the errors their kind implies', () => {
    for (const op of ALL_OPERATIONS) {
      expect(Object.keys(op.answers).some((s) => Number(s) < 400), op.id).toBe(true);
      if (op.auth !== 'public') expect(op.errorStatuses, op.id).toEqual(expect.arrayContaining([401, 403]));
      if (op.body?.json) expect(op.errorStatuses, op.id).toEqual(expect.arrayContaining([400, 413]));
      expect(op.unsafe, op.id).toBe(!['GET', 'HEAD'].includes(op.method));
    }
  });

  it('fill in their paths for a client, encoded', () => {
    const op = ALL_OPERATIONS.find((o) => o.id === 'getFile')!;
    expect(pathOf(op, { id: 'a/b c' })).toBe('/files/a%2Fb%20c');
    expect(() => pathOf(op)).toThrow(/\{id\}/);
  });
});

describe('the OpenAPI document', () => {
  it('builds the same every time, with every error code and every operation', () => {
    const doc = openApiDocument() as Record<string, any>;
    expect(JSON.stringify(openApiDocument())).toBe(JSON.stringify(doc));
    const count = Object.values<Record<string, unknown>>(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
    expect(count).toBe(ALL_OPERATIONS.length);
    expect(doc.components.schemas.Error.properties.error.properties.code.enum).toEqual(ERROR_CODE_LIST);
    // Query integers are described as integers, with their bounds and default.
    const limit = doc.paths['/list'].get.parameters.find((p: { name: string }) => p.name === 'limit');
    expect(limit).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } });
  });
});
