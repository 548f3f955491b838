/**
 * Storage health in the dashboard, on the real server with six S3 node processes (4+2), jobs on
 * and a one-second health probe: a node process is killed and the Overview turns to degraded
 * within the probe interval (plus the page's own poll); the node comes back, a repair runs with its
 * progress on screen, and the Overview returns to fully redundant. Then the admin drains a node,
 * watches its progress to empty, and retires it.
 */
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, startWebEnv, type WebEnv } from '@coffer/web/testing/browser';
import { adminContext, adminShot, expectAccessible, openPage } from './fixtures/admin.js';

const PROBE_SECONDS = 1;
/** The Overview asks every 3 s (OVERVIEW_POLL_MS); a state change shows within probe + poll, plus slack for a busy machine. */
const SHOWS_WITHIN_MS = PROBE_SECONDS * 1000 + 3000 + 4000;
const FILES = 120;

let env: WebEnv;
beforeAll(async () => {
  env = await startWebEnv({ COFFER_JOBS: '1', COFFER_NODE_PROBE_SECONDS: String(PROBE_SECONDS) }, { s3Nodes: 6 });
  // Blocks with a shard on every node: each file is one block of random (incompressible) bytes.
  const user = await env.server.user();
  for (let i = 0; i < FILES; i++) {
    const res = await fetch(`${env.server.url}/api/v1/upload?uploadType=media&path=/p${i}.jpg`, {
      method: 'POST',
      headers: { ...user.auth, 'content-type': 'application/octet-stream' },
      body: randomBytes(48 * 1024 + i),
    });
    expect(res.status).toBe(201);
  }
}, 180_000);
afterAll(async () => {
  await env?.close();
});

const safety = (page: Page) => page.getByTestId('safety');
const stateOf = (page: Page) => safety(page).getAttribute('data-state');

describe('storage health in the dashboard', () => {
  it('turns degraded when a node dies, shows the repair, and returns to fully redundant', async () => {
    const cluster = env.cluster!;
    const { context } = await adminContext(env, DESKTOP);
    const { page, errors } = await openPage(context, '/admin');
    await expect.poll(() => stateOf(page), { timeout: 20_000 }).toBe('safe');
    expect(await safety(page).textContent()).toContain('Your data is safe');

    await cluster.kill(2);
    const killedAt = Date.now();
    await expect.poll(() => stateOf(page), { timeout: SHOWS_WITHIN_MS, interval: 100 }).toBe('degraded');
    const shownAfter = Date.now() - killedAt;
    expect(shownAfter).toBeLessThan(SHOWS_WITHIN_MS);
    await expect.poll(() => safety(page).textContent()).toMatch(/Degraded: some data is below full redundancy.*1 of 6 nodes are down/);
    await expectAccessible(page, 'overview degraded');
    await adminShot(page, 'overview-degraded-desktop');
    await page.setViewportSize(PHONE);
    await page.waitForTimeout(400); // the navigation's slide into a drawer
    await adminShot(page, 'overview-degraded-phone');
    await page.setViewportSize(DESKTOP);

    // The Storage page says which node is down.
    const storage = await openPage(context, '/admin/storage');
    await expect.poll(() => storage.page.getByTestId('node-s3-2').textContent(), { timeout: 10_000 }).toContain('Down');
    await adminShot(storage.page, 'storage-node-down-desktop');
    await storage.page.close();

    // Back up: every node answers, the blocks still wait for repair; the admin starts it.
    await cluster.start(2);
    const repairNow = safety(page).getByRole('button', { name: 'Repair now' });
    await repairNow.waitFor({ timeout: SHOWS_WITHIN_MS });
    expect(await stateOf(page)).toBe('degraded');
    await repairNow.click();
    // The repair's progress is on screen while it runs.
    await page.getByRole('progressbar', { name: 'Repair progress' }).waitFor({ timeout: 5000 });
    expect(await stateOf(page)).toBe('repairing');
    await expectAccessible(page, 'overview repairing');
    await adminShot(page, 'overview-repairing-desktop');

    await expect.poll(() => stateOf(page), { timeout: 90_000, interval: 250 }).toBe('safe');
    expect(await safety(page).textContent()).toContain('every block is fully redundant');
    expect(await page.getByRole('progressbar', { name: 'Repair progress' }).count()).toBe(0);
    await adminShot(page, 'overview-desktop-s3');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('drains a node with its progress to empty, then retires it', async () => {
    const { context } = await adminContext(env, DESKTOP);
    const { page, errors } = await openPage(context, '/admin/storage');
    const row = page.getByTestId('node-s3-5');
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toMatch(/s3-5.*Up/);
    await row.getByRole('button', { name: 'Drain s3-5' }).click();
    await page.getByRole('dialog', { name: 'Drain s3-5?' }).getByRole('button', { name: 'Drain' }).click();

    // Every text the node's progress shows until it is empty.
    const task = page.getByTestId('task-s3-5');
    const seen = new Set<string>();
    await expect
      .poll(
        async () => {
          const text = (await task.textContent().catch(() => null)) ?? '';
          if (text) seen.add(text);
          return text;
        },
        { timeout: 120_000, interval: 200 },
      )
      .toContain('Empty: ready to retire');
    expect([...seen].some((s) => /Drain/.test(s)), [...seen].join(' | ')).toBe(true);
    expect(await task.getByRole('progressbar', { name: 'Drain of s3-5' }).getAttribute('aria-valuenow')).toBe('100');
    expect(await row.textContent()).toContain('Draining');
    await expectAccessible(page, 'storage drained');
    await adminShot(page, 'storage-drained-desktop');
    await page.setViewportSize(PHONE);
    await page.waitForTimeout(400);
    await row.scrollIntoViewIfNeeded();
    await adminShot(page, 'storage-drained-phone');
    await page.setViewportSize(DESKTOP);

    await row.getByRole('button', { name: 'Retire s3-5' }).click();
    await page.getByRole('dialog', { name: 'Retire s3-5?' }).getByRole('button', { name: 'Retire' }).click();
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain('Retired');
    expect(await row.getByRole('button').count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
