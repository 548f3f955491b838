/**
 * Sharing in the browser: Alice shares a folder with Bob from the share dialog; Bob, already on
 * "Shared with me" in his own browser, sees it appear live (the websocket's notification, no
 * reload), gets a toast and an unread count on the bell, accepts it and opens it in his files.
 * Alice's dialog lists Bob and changes his role; the outgoing tab lists the share. axe-core on
 * the dialog and the screen; screenshots at phone and desktop size.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DESKTOP, PHONE, seriousViolations, shot, signedInContext } from '@coffer/web/testing/browser';
import { webEnvForFile } from '@coffer/web/testing/suite';
import { driveFor } from '@coffer/web/testing/drive';

const env = webEnvForFile();
const { put, api } = driveFor(env);

/** The page at phone size, once the navigation drawer has finished sliding away; then back. */
async function phoneShot(page: Page, name: string): Promise<void> {
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(500);
  await shot(page, name, true);
  await page.setViewportSize(DESKTOP);
  await page.waitForTimeout(300);
}

/** Resolves once the page's change feed has resumed (the server said `synced`). */
function liveOn(page: Page): Promise<void> {
  return new Promise((resolve) => {
    page.on('websocket', (ws) => {
      ws.on('framereceived', (f) => {
        if (typeof f.payload === 'string' && f.payload.includes('"synced"')) resolve();
      });
    });
  });
}

/** A row's Download, from its menu (a folder comes as a zip). */
async function downloadFromMenu(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: `More actions for ${name}` }).click();
  await page.getByRole('menuitem', { name: 'Download' }).click();
}

describe('sharing in the web app', () => {
  it('shares a folder; the recipient sees it appear live, accepts and opens it', async () => {
    const alice = await env.server.user();
    const bob = await env.server.user();
    expect((await api(alice.token, 'POST', '/mkdir', { path: '/Plans' })).status).toBe(201);
    await put(alice.token, '/Plans/roadmap.txt', 'phase one');

    // Bob first: on "Shared with me", with nothing there yet, following the feed.
    const bobCtx = await signedInContext(env, bob, DESKTOP);
    const bobPage = await bobCtx.newPage();
    const errors: string[] = [];
    bobPage.on('pageerror', (e) => errors.push(e.message));
    const bobLive = liveOn(bobPage);
    await bobPage.goto('/shared');
    await bobPage.getByText('Nothing is shared with you yet.').waitFor();
    await bobLive;
    // A mark on the window: it survives only if the page is never reloaded.
    await bobPage.evaluate(() => ((window as unknown as { stillHere: number }).stillHere = 1));

    // Alice shares /Plans with Bob as editor, from the dialog.
    const aliceCtx = await signedInContext(env, alice, DESKTOP);
    const page = await aliceCtx.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto('/files');
    // The folder downloads as one zip.
    const [zip] = await Promise.all([page.waitForEvent('download'), downloadFromMenu(page, 'Plans')]);
    expect(zip.suggestedFilename()).toBe('Plans.zip');
    const zipped = await readFile((await zip.path())!);
    expect(zipped.subarray(0, 4).toString('hex')).toBe('504b0304');
    expect(zipped.includes(Buffer.from('Plans/roadmap.txt'))).toBe(true);
    await page.getByRole('button', { name: "Share 'Plans'" }).click();
    const dialog = page.getByRole('dialog', { name: "Share 'Plans'" });
    await dialog.waitFor();
    await dialog.getByText('Only you.').waitFor();
    await dialog.getByLabel('Username').fill(bob.username);
    await dialog.getByLabel('Role', { exact: true }).selectOption('editor');
    await dialog.getByRole('button', { name: 'Share', exact: true }).click();
    await dialog.getByLabel(`Role of ${bob.username}`).waitFor();
    expect(await dialog.getByLabel(`Role of ${bob.username}`).inputValue()).toBe('editor');
    // Bob's page, never reloaded, announces it (a toast, for a few seconds).
    await bobPage.locator('.toast').getByText(`${alice.username} shared 'Plans' with you`).waitFor({ timeout: 10_000 });
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, 'share-dialog-desktop', true);
    await phoneShot(page, 'share-dialog-phone');
    // An unknown user is refused plainly.
    await dialog.getByLabel('Username').fill('nobody_here');
    await dialog.getByRole('button', { name: 'Share', exact: true }).click();
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('There is no such user or group.');
    expect(await seriousViolations(page)).toEqual([]);
    // Let Bob share it on, then make him a viewer: the server has both.
    await dialog.getByLabel('May share', { exact: true }).click();
    await expect
      .poll(async () => {
        const l = (await (await api(alice.token, 'GET', '/shares?direction=outgoing')).json()) as { shares: { allowReshare: boolean }[] };
        return l.shares.map((s) => s.allowReshare);
      })
      .toEqual([true]);
    await expect.poll(() => dialog.getByLabel('May share', { exact: true }).isChecked()).toBe(true);
    // Change Bob's role to viewer: the server has it.
    await dialog.getByLabel(`Role of ${bob.username}`).selectOption('viewer');
    await expect
      .poll(async () => {
        const l = (await (await api(alice.token, 'GET', '/shares?direction=outgoing')).json()) as { shares: { role: string }[] };
        return l.shares.map((s) => s.role);
      })
      .toEqual(['viewer']);

    // Bob's page shows the offer without a reload, with a toast and the bell's count.
    const offer = bobPage.getByRole('button', { name: "Accept 'Plans'" });
    await offer.waitFor({ timeout: 10_000 });
    expect(await bobPage.evaluate(() => (window as unknown as { stillHere?: number }).stillHere)).toBe(1);
    await bobPage.getByRole('button', { name: 'Notifications, 1 unread' }).waitFor();
    expect(await seriousViolations(bobPage)).toEqual([]);
    await shot(bobPage, 'shared-with-me-desktop', true);
    await phoneShot(bobPage, 'shared-with-me-phone');

    // The inbox lists it; marking all read clears the count.
    await bobPage.getByRole('button', { name: 'Notifications, 1 unread' }).click();
    const inbox = bobPage.getByRole('region', { name: 'Notifications' });
    await inbox.getByText(`${alice.username} shared 'Plans' with you`).waitFor();
    expect(await seriousViolations(bobPage)).toEqual([]);
    await inbox.getByRole('button', { name: 'Mark all read' }).click();
    await bobPage.getByRole('button', { name: 'Notifications', exact: true }).waitFor();
    await inbox.getByRole('button', { name: 'Close' }).click();

    // Accept: it is mounted in Bob's files; open it.
    await offer.click();
    await bobPage.getByRole('button', { name: "Open 'Plans'" }).click();
    await bobPage.getByText('roadmap.txt').waitFor();
    expect(new URL(bobPage.url()).pathname).toBe('/files/Plans');
    // Bob downloads a file of the share.
    const [file] = await Promise.all([bobPage.waitForEvent('download'), downloadFromMenu(bobPage, 'roadmap.txt')]);
    expect(file.suggestedFilename()).toBe('roadmap.txt');
    expect(await readFile((await file.path())!, 'utf8')).toBe('phase one');
    // Alice adds a file to the folder: it appears in Bob's listing without a reload.
    await put(alice.token, '/Plans/budget.txt', 'numbers');
    await bobPage.getByRole('button', { name: 'budget.txt', exact: true }).waitFor({ timeout: 10_000 });
    expect(await bobPage.evaluate(() => (window as unknown as { stillHere?: number }).stillHere)).toBe(1);

    // Alice's side: the outgoing tab lists the share, and she hears of the acceptance.
    await page.keyboard.press('Escape');
    await page.goto('/shared');
    await page.getByRole('tab', { name: 'Shared by me' }).click();
    await page.getByText(`with ${bob.username}`).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Notifications, 1 unread' }).waitFor();

    // Bob leaves it: gone from his root.
    await bobPage.goto('/shared');
    await bobPage.getByRole('button', { name: "Leave 'Plans'" }).click();
    await bobPage.getByRole('button', { name: "Accept 'Plans'" }).waitFor();
    const root = (await (await api(bob.token, 'GET', '/list?path=%2F')).json()) as { entries: { name: string }[] };
    expect(root.entries.map((e) => e.name)).not.toContain('Plans');
    expect(errors).toEqual([]);
    await aliceCtx.close();
    await bobCtx.close();
  });
});
