/**
 * People in the dashboard on the real server: an administrator creates an account with a 1 GiB
 * quota, the user uploads (through the API), and the quota bar on People shows the use.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, startWebEnv, type WebEnv } from '@coffer/web/testing/browser';
import { adminContext, adminShot, expectAccessible, openPage } from './fixtures/admin.js';

let env: WebEnv;
beforeAll(async () => {
  env = await startWebEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('people', () => {
  it('creates a user with a 1 GiB quota whose upload then shows on the quota bar', async () => {
    const { context } = await adminContext(env, DESKTOP);
    const { page, errors } = await openPage(context, '/admin/people');
    await page.getByRole('heading', { name: 'People', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.getByRole('dialog', { name: 'New user' });
    await dialog.getByLabel('Username').fill('dana');
    await dialog.getByLabel('Password', { exact: true }).fill('a long enough password');
    await dialog.getByLabel('Quota (GiB)').fill('1');
    await dialog.getByRole('checkbox', { name: 'Must choose a new password at first sign-in' }).uncheck();
    await expectAccessible(page, 'new user dialog');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });
    const bar = page.getByTestId('quota-dana');
    await expect.poll(() => bar.textContent()).toContain('0 B of 1 GiB');

    // The user signs in and uploads 100 MiB through the API.
    const login = await fetch(`${env.server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'dana', password: 'a long enough password' }) });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const up = await fetch(`${env.server.url}/api/v1/upload?uploadType=media&path=${encodeURIComponent('/video.bin')}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(100 * 1024 * 1024, 'quarterly video '),
    });
    expect(up.status).toBe(201);

    await page.reload();
    await expect.poll(() => bar.textContent(), { timeout: 15_000 }).toContain('100 MiB of 1 GiB');
    const progress = bar.getByRole('progressbar', { name: 'Storage used by dana' });
    expect(Number(await progress.getAttribute('aria-valuenow'))).toBe(10); // 100 MiB of 1024 MiB
    await expectAccessible(page, 'people');
    await adminShot(page, 'people-quota-desktop', false);

    // Managing her: the dialog shows the same bar, and deleting says what happens to the files.
    await page.getByRole('button', { name: 'Manage dana' }).click();
    const manage = page.getByRole('dialog', { name: 'Manage dana' });
    await manage.getByRole('progressbar', { name: 'Storage used by dana' }).waitFor();
    await expectAccessible(page, 'manage dialog');
    await adminShot(page, 'people-manage-desktop');
    await manage.getByRole('button', { name: 'Delete account…' }).click();
    const del = page.getByRole('dialog', { name: 'Delete dana?' });
    await del.getByTestId('delete-consequences').waitFor();
    expect(await del.textContent()).toContain('(100 MiB) go with the account');
    expect(await del.getByRole('button', { name: 'Delete' }).isDisabled()).toBe(true);
    // Purge by default, or the files given to another account (the server's transfer).
    const to = del.getByLabel('Give the files to');
    expect(await to.inputValue()).toBe('');
    expect(await to.locator('option').count()).toBeGreaterThan(1);
    await expectAccessible(page, 'delete dialog');
    await adminShot(page, 'people-delete-desktop');
    expect(errors).toEqual([]);
    await context.close();
  });
});
