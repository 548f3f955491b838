/**
 * Every dashboard page for an administrator, at phone and desktop size: it renders its heading,
 * has no serious or critical axe-core violation, no script error, and its screenshot is written
 * to admin-ui/screenshots (checked in). Also in Korean with the dark theme, and the phone's
 * navigation drawer.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, startWebEnv, type WebEnv } from '@coffer/web/testing/browser';
import { adminContext, adminShot, expectAccessible, openPage, PAGES } from './fixtures/admin.js';

let env: WebEnv;
beforeAll(async () => {
  env = await startWebEnv();
  // Something to show: a few accounts with files, a group, a finished and a failed-looking job list.
  const admin = await env.server.user({ role: 'admin' });
  for (const [i, size] of [3, 40, 700].entries()) {
    const u = await env.server.user({ quotaBytes: 1024 ** 3 });
    const res = await fetch(`${env.server.url}/api/v1/upload?uploadType=media&path=/f${i}.bin`, {
      method: 'POST',
      headers: { ...u.auth, 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(size * 1024 * 100, `file ${i} `),
    });
    expect(res.status).toBe(201);
  }
  const group = await fetch(`${env.server.url}/api/v1/admin/groups`, { method: 'POST', headers: { ...admin.auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Family' }) });
  expect(group.status).toBe(201);
  // A day of usage samples (the sampler job is off in tests): the charts have something to draw.
  const GiB = 1024 ** 3;
  let bytesIn = 0;
  let bytesOut = 0;
  for (let h = 48; h >= 1; h--) {
    const at = new Date(Date.now() - h * 30 * 60_000).toISOString();
    const logical = Math.round((20 + (48 - h) * 0.15) * GiB);
    bytesIn += Math.round((0.2 + Math.abs(Math.sin(h / 5))) * 0.4 * GiB);
    bytesOut += Math.round((0.3 + Math.abs(Math.cos(h / 7))) * 0.6 * GiB);
    await env.server.database.db.execute(
      sql`insert into usage_samples (at, logical_bytes, dedup_bytes, compressed_bytes, stored_bytes, bytes_in_total, bytes_out_total) values (${at}, ${logical}, ${Math.round(logical * 0.8)}, ${Math.round(logical * 0.55)}, ${Math.round(logical * 0.83)}, ${bytesIn}, ${bytesOut})`,
    );
  }
  const job = await fetch(`${env.server.url}/api/v1/admin/jobs`, { method: 'POST', headers: { ...admin.auth, 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'scrub' }) });
  expect(job.status).toBe(201);
});
afterAll(async () => {
  await env?.close();
});

describe('every dashboard page', () => {
  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    it(`renders, passes axe-core and is pictured at ${size} size`, async () => {
      const { context } = await adminContext(env, viewport);
      for (const p of PAGES) {
        const { page, errors } = await openPage(context, p.path);
        await page.getByRole('heading', { name: p.heading, level: 1 }).waitFor();
        await page.locator('.spinner').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
        await expectAccessible(page, `${p.name} at ${size}`);
        await adminShot(page, `${p.name}-${size}`);
        if (p.name === 'overview') {
          await page.getByRole('img', { name: 'Usage over time' }).scrollIntoViewIfNeeded();
          await adminShot(page, `overview-charts-${size}`);
        }
        if (p.name === 'audit') {
          // Searchable: only the matching kind is listed.
          await page.getByLabel('What').selectOption({ label: 'Job started' });
          await page.getByRole('button', { name: 'Search' }).click();
          await expect.poll(() => page.locator('.audit-table tbody tr').count()).toBe(1);
          expect(await page.locator('.audit-table tbody').textContent()).toContain('scrub');
        }
        expect(errors, p.name).toEqual([]);
        await page.close();
      }
      if (size === 'phone') {
        const { page } = await openPage(context, '/admin/storage');
        await page.getByRole('button', { name: 'Open menu' }).click();
        await page.getByRole('navigation', { name: 'Dashboard pages' }).getByRole('link', { name: 'Jobs' }).waitFor();
        await expectAccessible(page, 'drawer');
        await adminShot(page, 'navigation-phone');
        await page.getByRole('navigation', { name: 'Dashboard pages' }).getByRole('link', { name: 'Jobs' }).click();
        await page.getByRole('heading', { name: 'Jobs', level: 1 }).waitFor();
        expect(new URL(page.url()).pathname).toBe('/admin/jobs');
      }
      await context.close();
    });
  }

  it('speaks Korean in the dark theme', async () => {
    const { context } = await adminContext(env, PHONE);
    await context.addInitScript(() => {
      localStorage.setItem('coffer.lang', 'ko');
      localStorage.setItem('coffer.theme', 'dark');
    });
    const { page, errors } = await openPage(context, '/admin/people');
    await page.getByRole('heading', { name: '사용자', level: 1 }).waitFor();
    await page.locator('.spinner').first().waitFor({ state: 'detached' }).catch(() => {});
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    await expectAccessible(page, 'korean dark');
    await adminShot(page, 'people-ko-dark-phone');
    const overview = await openPage(context, '/admin');
    await overview.page.getByRole('heading', { name: '개요', level: 1 }).waitFor();
    await overview.page.getByTestId('safety').waitFor();
    await expectAccessible(overview.page, 'korean dark overview');
    await adminShot(overview.page, 'overview-ko-dark-phone');
    expect(errors).toEqual([]);
    await context.close();
  });
});
