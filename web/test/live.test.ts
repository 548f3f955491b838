/**
 * The change feed in the browser: a file added elsewhere appears in the folder on screen without
 * a reload; when the websocket drops, the app reconnects by itself (backoff) and resumes from the
 * last change it saw, so a file added while it was down appears too.
 */
import { describe, expect, it } from 'vitest';
import type { WebSocketRoute } from 'playwright-core';
import { DESKTOP, signedInContext } from '@coffer/web/testing/browser';
import { webEnvForFile } from '@coffer/web/testing/suite';
import { driveFor } from '@coffer/web/testing/drive';

const env = webEnvForFile();
const { put } = driveFor(env);

describe('the live change feed', () => {
  it('shows files added elsewhere without a reload, and resumes after the socket drops', async () => {
    const user = await env.server.user();
    const ctx = await signedInContext(env, user, DESKTOP);
    const page = await ctx.newPage();
    // Every socket the page opens goes through here to the real server, so the test can cut one.
    const sockets: WebSocketRoute[] = [];
    const resumes: string[] = [];
    let synced = 0;
    await page.routeWebSocket(/\/api\/v1\/events$/, (ws) => {
      sockets.push(ws);
      const server = ws.connectToServer();
      ws.onMessage((m) => {
        if (typeof m === 'string') resumes.push(m);
        server.send(m);
      });
      server.onMessage((m) => {
        if (typeof m === 'string' && m.includes('"synced"')) synced++;
        ws.send(m);
      });
    });
    await page.goto('/files');
    await page.getByText('This folder is empty.').waitFor();
    await expect.poll(() => synced).toBe(1);
    await page.evaluate(() => ((window as unknown as { stillHere: number }).stillHere = 1));

    await put(user.token, '/from-phone.txt', 'added on another device');
    await page.getByRole('button', { name: 'from-phone.txt', exact: true }).waitFor({ timeout: 10_000 });

    // Cut the socket; add a file while the app is disconnected.
    await sockets[0]!.close({ code: 1012, reason: 'test: server restart' });
    await put(user.token, '/while-away.txt', 'added while the socket was down');
    await page.getByRole('button', { name: 'while-away.txt', exact: true }).waitFor({ timeout: 20_000 });
    expect(sockets.length).toBe(2);
    // The second connection resumed from the last change the first one delivered.
    const second = JSON.parse(resumes.at(-1)!) as { type: string; cursor?: number };
    expect(second.type).toBe('resume');
    expect(second.cursor).toBeGreaterThan(0);
    expect(JSON.parse(resumes[0]!)).toEqual({ type: 'resume' });
    expect(await page.evaluate(() => (window as unknown as { stillHere?: number }).stillHere)).toBe(1);
    await ctx.close();
  });
});
