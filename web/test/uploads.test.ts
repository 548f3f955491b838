/**
 * Uploads in a real browser: a folder of 200 files (through the folder picker, and dropped as 200
 * files), a 300 MiB file whose page is closed half way and which, dropped again, sends exactly
 * the blocks the server still lacks, and a 64 MiB file edited in one byte that sends exactly one
 * block. Bytes on the wire are counted in the page: every PUT /blocks body the app hands to
 * fetch (an init script wraps window.fetch), and so are the batch requests (packs, batch commits)
 * that carry a folder of small files. axe-core runs on the transfer panel; it is saved at
 * phone and desktop size.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkBuffer, contentHash } from '@coffer/protocol';
import { withTempDir } from '@coffer/test-support/temp-dir';
import { genBytes } from '@coffer/web/testing/generated-bytes';
import { DESKTOP, PHONE, seriousViolations, shot, signedInContext, startWebEnv, type TestUser, type WebEnv } from '@coffer/web/testing/browser';

const MiB = 1024 * 1024;
let env: WebEnv;
beforeAll(async () => {
  env = await startWebEnv();
}, 120_000);
afterAll(async () => {
  await env?.close();
});


interface GenFile {
  name: string;
  seed: number;
  size: number;
  /** Set this byte to this value. */
  edit?: { at: number; value: number };
}

function nodeBytes(f: GenFile): Uint8Array {
  const b = genBytes(f.seed, 0, f.size);
  if (f.edit) b[f.edit.at] = f.edit.value;
  return b;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const blocksOf = (data: Uint8Array) => chunkBuffer(data).map((c) => ({ hash: sha(c), size: c.length }));

/** Generate the files in the page and drop them on the folder screen's drop zone (a synthetic drop: a DataTransfer of Files). */
async function dropGenerated(page: Page, files: GenFile[]): Promise<void> {
  await page.evaluate(async (list) => {
    function gen(seed: number, byteStart: number, bytes: number): Uint8Array {
      const out = new Uint32Array(bytes / 4);
      const w0 = byteStart / 4;
      for (let i = 0; i < out.length; i++) {
        let x = (seed + Math.imul(w0 + i, 0x9e3779b9)) | 0;
        x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
        x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
        out[i] = x ^ (x >>> 16);
      }
      return new Uint8Array(out.buffer);
    }
    const dt = new DataTransfer();
    const PIECE = 8 * 1024 * 1024;
    for (const f of list) {
      const parts: Uint8Array<ArrayBuffer>[] = [];
      for (let at = 0; at < f.size; at += PIECE) {
        const piece = gen(f.seed, at, Math.min(PIECE, f.size - at)) as Uint8Array<ArrayBuffer>;
        if (f.edit && f.edit.at >= at && f.edit.at < at + piece.length) piece[f.edit.at - at] = f.edit.value;
        parts.push(piece);
      }
      dt.items.add(new File(parts, f.name, { type: 'application/octet-stream' }));
    }
    const zone = document.querySelector('.drop-zone');
    if (!zone) throw new Error('no drop zone');
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, files);
}

/** Counts, in every page of the context, the bodies of PUT /blocks requests the app sends, and its upload POSTs by path. */
async function countPuts(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as { __puts: { bytes: number; count: number }; __posts: Record<string, number> };
    w.__puts = { bytes: 0, count: 0 };
    w.__posts = {};
    const original = window.fetch.bind(window);
    window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      if (init?.method === 'PUT' && String(input).includes('/api/v1/blocks/')) {
        const body = init.body as Blob | Uint8Array;
        w.__puts.bytes += body instanceof Blob ? body.size : body.byteLength;
        w.__puts.count++;
      }
      if (init?.method === 'POST') {
        const path = new URL(String(input), location.href).pathname.replace('/api/v1', '');
        w.__posts[path] = (w.__posts[path] ?? 0) + 1;
      }
      return original(input, init);
    };
  });
}
const puts = (page: Page) => page.evaluate(() => (window as unknown as { __puts: { bytes: number; count: number } }).__puts);
const posts = (page: Page) => page.evaluate(() => (window as unknown as { __posts: Record<string, number> }).__posts);

async function api<T>(user: TestUser, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${env.server.url}/api/v1${path}`, {
    method,
    headers: { ...user.auth, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

interface Entry {
  name: string;
  size: number;
  rev: number;
  contentHash: string | null;
}
const stat = (user: TestUser, path: string) => api<Entry>(user, 'GET', `/metadata?path=${encodeURIComponent(path)}`);
async function missingBytes(user: TestUser, blocks: { hash: string; size: number }[]): Promise<number> {
  const { missing } = await api<{ missing: string[] }>(user, 'POST', '/blocks/missing', { hashes: blocks.map((b) => b.hash) });
  const set = new Set(missing);
  let n = 0;
  for (const b of blocks) if (set.delete(b.hash)) n += b.size;
  return n;
}

const row = (page: Page, name: string) => page.locator('.transfer', { hasText: name });

async function openFolder(context: BrowserContext, path: string): Promise<Page> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`/files${path === '/' ? '' : path}`);
  await page.locator('.drop-zone').waitFor();
  return page;
}

describe('uploads', () => {
  it('a folder of 200 files through the folder picker, and 200 files dropped, are all listed, sent as batches', { timeout: 300_000 }, async () => {
    const user = await env.server.user();
    const context = await signedInContext(env, user, PHONE);
    await countPuts(context);
    try {
      await withTempDir('coffer-upload-folder-', async (dir) => {
        const root = join(dir, 'Trip 2026');
        await mkdir(join(root, 'raw'), { recursive: true });
        for (let i = 0; i < 200; i++) await writeFile(join(root, i < 150 ? '' : 'raw', `photo-${String(i).padStart(3, '0')}.jpg`), `photo ${i} `.repeat(1 + (i % 50)));
        const page = await openFolder(context, '/');
        const t0 = Date.now();
        await page.locator('input[data-upload="folder"]').setInputFiles(root);
        await expect.poll(() => page.locator('.transfer[data-state="done"]').count(), { timeout: 120_000 }).toBe(200);
        console.log(`200 files through the folder picker: ${Date.now() - t0} ms, requests ${JSON.stringify({ ...(await posts(page)), puts: (await puts(page)).count })}`);
        // Small files go as batches: a few packs and batch commits, not a PUT and a commit per file.
        expect((await puts(page)).count).toBe(0);
        expect((await posts(page))['/files/commit'] ?? 0).toBe(0);
        expect((await posts(page))['/files/commit/batch']).toBeLessThanOrEqual(10);
        expect(await seriousViolations(page)).toEqual([]);
        await shot(page, 'transfer-panel-phone', true);
        await page.getByRole('link', { name: 'Trip 2026' }).click();
        await expect.poll(() => page.getByRole('grid').getAttribute('aria-rowcount'), { timeout: 20_000 }).toBe('152'); // 150 photos and raw/, plus the header row
        expect((await stat(user, '/Trip 2026/raw/photo-199.jpg')).size).toBe('photo 199 '.repeat(50).length);
        await page.close();
      });

      await api(user, 'POST', '/mkdir', { path: '/Dropped' });
      const page = await openFolder(context, '/Dropped');
      await page.evaluate(() => {
        const dt = new DataTransfer();
        for (let i = 0; i < 200; i++) dt.items.add(new File([`note ${i}\n`], `note-${i}.txt`, { type: 'text/plain' }));
        document.querySelector('.drop-zone')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      });
      await expect.poll(() => page.locator('.transfer[data-state="done"]').count(), { timeout: 120_000 }).toBe(200);
      const sentAs = await posts(page);
      expect(sentAs['/files/commit/batch']).toBeGreaterThanOrEqual(2);
      expect(sentAs['/files/commit/batch']).toBeLessThanOrEqual(10);
      expect(sentAs['/blocks/pack']).toBeLessThanOrEqual(10);
      expect(sentAs['/files/commit'] ?? 0).toBe(0);
      await page.getByRole('button', { name: 'Clear finished' }).click();
      await expect.poll(() => page.getByRole('grid').getAttribute('aria-rowcount'), { timeout: 20_000 }).toBe('201'); // plus the header row
      expect(await page.locator('.transfer-panel').count()).toBe(0);
      const e = await stat(user, '/Dropped/note-123.txt');
      expect(e.size).toBe('note 123\n'.length);
      expect(e.contentHash).toBe(contentHash(blocksOf(Buffer.from('note 123\n')), sha));
      // A batch whose one file meets a taken name: the others land, that one offers keep both.
      await page.evaluate(() => {
        const dt = new DataTransfer();
        dt.items.add(new File(['another note 5\n'], 'note-5.txt', { type: 'text/plain' }));
        dt.items.add(new File(['a new note\n'], 'note-new.txt', { type: 'text/plain' }));
        document.querySelector('.drop-zone')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      });
      const conflict = page.locator('.transfer[data-state="conflict"]');
      await conflict.waitFor({ timeout: 60_000 });
      await conflict.getByRole('button', { name: 'Keep both' }).click();
      await expect.poll(() => page.locator('.transfer[data-state="done"]').count(), { timeout: 60_000 }).toBe(2);
      expect((await stat(user, '/Dropped/note-5 (1).txt')).size).toBe('another note 5\n'.length);
      expect((await stat(user, '/Dropped/note-5.txt')).size).toBe('note 5\n'.length);
      expect((await stat(user, '/Dropped/note-new.txt')).size).toBe('a new note\n'.length);
      expect((await posts(page))['/files/commit/batch']).toBeGreaterThan(sentAs['/files/commit/batch']!);
    } finally {
      await context.close();
    }
  });

  it('a 300 MiB upload closed half way resumes on a new drop, sending exactly the blocks the server lacks', { timeout: 600_000 }, async () => {
    const user = await env.server.user();
    const context = await signedInContext(env, user, DESKTOP);
    await countPuts(context);
    try {
      await api(user, 'POST', '/mkdir', { path: '/Big' });
      const file: GenFile = { name: 'archive.bin', seed: 300, size: 300 * MiB };
      const page = await openFolder(context, '/Big');
      await dropGenerated(page, [file]);
      await expect.poll(async () => (await puts(page)).bytes, { timeout: 300_000, interval: 100 }).toBeGreaterThanOrEqual(60 * MiB);
      expect(await seriousViolations(page)).toEqual([]);
      await shot(page, 'transfer-panel-desktop', true);
      await expect.poll(async () => (await puts(page)).bytes, { timeout: 300_000, interval: 50 }).toBeGreaterThanOrEqual(150 * MiB);
      const firstRun = (await puts(page)).bytes;
      await page.close(); // in-flight PUTs are cut off

      const blocks = blocksOf(nodeBytes(file));
      // The server settles what it had received; then its answer no longer changes.
      let missing = -1;
      for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 500));
        const now = await missingBytes(user, blocks);
        if (now === missing) break;
        missing = now;
      }
      expect(missing).toBeGreaterThan(0);
      expect(missing).toBeLessThan(file.size * 0.6);

      const again = await openFolder(context, '/Big');
      await dropGenerated(again, [file]);
      await row(again, 'archive.bin').and(again.locator('[data-state="done"]')).waitFor({ timeout: 300_000 });
      const resumed = await puts(again);
      expect(resumed.bytes).toBe(missing); // only the missing blocks went on the wire
      const e = await stat(user, '/Big/archive.bin');
      expect(e.size).toBe(file.size);
      expect(e.contentHash).toBe(contentHash(blocks, sha));
      console.log(`300 MiB resume: first page sent ${(firstRun / MiB).toFixed(1)} MiB before closing; the server then lacked ${(missing / MiB).toFixed(1)} MiB; the resumed upload sent ${(resumed.bytes / MiB).toFixed(1)} MiB in ${resumed.count} blocks`);
      await again.close();
    } finally {
      await context.close();
    }
  });

  it('a 64 MiB file edited in one byte, uploaded again and replacing the old one, sends exactly one block; pause and resume; keep both takes a numbered name', { timeout: 300_000 }, async () => {
    const user = await env.server.user();
    const context = await signedInContext(env, user, DESKTOP);
    await countPuts(context);
    try {
      await api(user, 'POST', '/mkdir', { path: '/Edit' });
      const original: GenFile = { name: 'video.bin', seed: 64, size: 64 * MiB };
      const blocks = blocksOf(nodeBytes(original));
      // One byte in the middle of a middle block, far from its cuts: only that block changes.
      const k = Math.floor(blocks.length / 2);
      const start = blocks.slice(0, k).reduce((n, b) => n + b.size, 0);
      const at = start + Math.floor(blocks[k]!.size / 2);
      const edited: GenFile = { ...original, edit: { at, value: (nodeBytes(original)[at]! + 1) & 255 } };
      const after = blocksOf(nodeBytes(edited));
      const changed = after.filter((b) => !blocks.some((o) => o.hash === b.hash));
      expect(changed).toHaveLength(1);

      const page = await openFolder(context, '/Edit');
      await dropGenerated(page, [original]);
      await row(page, 'video.bin').and(page.locator('[data-state="done"]')).waitFor({ timeout: 200_000 });
      const first = await puts(page);
      expect(first.bytes).toBe(original.size);
      expect(first.count).toBe(blocks.length);

      // Pause stops the requests; resume sends what the server still lacks and completes.
      const paused: GenFile = { name: 'paused.bin', seed: 32, size: 32 * MiB };
      await dropGenerated(page, [paused]);
      await expect.poll(async () => (await puts(page)).bytes, { timeout: 60_000, interval: 50 }).toBeGreaterThan(first.bytes);
      await row(page, 'paused.bin').getByRole('button', { name: 'Pause paused.bin' }).click();
      await row(page, 'paused.bin').and(page.locator('[data-state="paused"]')).waitFor();
      const atPause = (await puts(page)).bytes;
      await new Promise((r) => setTimeout(r, 1000));
      expect((await puts(page)).bytes).toBe(atPause); // nothing more went out while paused
      await row(page, 'paused.bin').getByRole('button', { name: 'Resume paused.bin' }).click();
      await row(page, 'paused.bin').and(page.locator('[data-state="done"]')).waitFor({ timeout: 100_000 });
      expect((await stat(user, '/Edit/paused.bin')).contentHash).toBe(contentHash(blocksOf(nodeBytes(paused)), sha));
      const afterPause = await puts(page);
      // Blocks cut off by the pause (at most the PUTs in flight) may go twice; nothing else does.
      expect(afterPause.bytes - first.bytes).toBeLessThanOrEqual(paused.size + 4 * 4 * MiB);
      const base = afterPause;

      await dropGenerated(page, [edited]);
      const conflict = page.locator('.transfer[data-state="conflict"]');
      await conflict.waitFor({ timeout: 100_000 });
      expect(await seriousViolations(page)).toEqual([]);
      await shot(page, 'transfer-conflict');
      await conflict.getByRole('button', { name: 'Replace' }).click();
      await expect.poll(() => page.locator('.transfer[data-state="done"]').count(), { timeout: 60_000 }).toBe(3);
      const second = await puts(page);
      expect(second.count - base.count).toBe(1);
      expect(second.bytes - base.bytes).toBe(changed[0]!.size);
      const e = await stat(user, '/Edit/video.bin');
      expect(e.rev).toBe(2);
      expect(e.contentHash).toBe(contentHash(after, sha));
      // Keep both: a different file under a taken name lands beside it as 'clip (1).txt'.
      await dropGenerated(page, [{ name: 'clip.txt', seed: 1, size: 1024 }]);
      await expect.poll(() => page.locator('.transfer[data-state="done"]').count(), { timeout: 60_000 }).toBe(4);
      await dropGenerated(page, [{ name: 'clip.txt', seed: 2, size: 1024 }]);
      await page.locator('.transfer[data-state="conflict"]').getByRole('button', { name: 'Keep both' }).click();
      await expect.poll(() => page.locator('.transfer[data-state="done"]').count(), { timeout: 60_000 }).toBe(5);
      expect(await page.getByText('Saved as clip (1).txt').count()).toBe(1);
      expect((await stat(user, '/Edit/clip (1).txt')).contentHash).toBe(contentHash(blocksOf(nodeBytes({ name: 'clip.txt', seed: 2, size: 1024 })), sha));
      expect((await stat(user, '/Edit/clip.txt')).contentHash).toBe(contentHash(blocksOf(nodeBytes({ name: 'clip.txt', seed: 1, size: 1024 })), sha));
      console.log(`64 MiB one-byte edit: ${second.count - base.count} block of ${(changed[0]!.size / 1024).toFixed(0)} KiB sent (of ${after.length} blocks)`);
      await page.close();
    } finally {
      await context.close();
    }
  });
});
