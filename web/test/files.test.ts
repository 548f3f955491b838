/**
 * The files screens in a real browser: rename, new folder, move by dragging a row onto a folder
 * row (and with the "Move to…" picker), delete with Undo, delete then restore from the trash,
 * multi-select and delete, keyboard navigation and the shortcuts dialog, an old revision
 * restored, search results with their folder, and a 10,000-entry folder of which only a window
 * of rows is in the DOM. axe-core runs on every screen at phone and desktop size; the main
 * screens are saved as screenshots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { DESKTOP, PHONE, seriousViolations, shot, signedInContext, startWebEnv, TEST_PASSWORD, type TestUser, type WebEnv } from '@coffer/web/testing/browser';
import { seedWideFolder } from '@coffer/server/testing/bulk-entries';
import { mkdir, put } from '@coffer/web/testing/drive';

let env: WebEnv;
beforeAll(async () => {
  env = await startWebEnv();
});
afterAll(async () => {
  await env?.close();
});

interface Entry {
  id: string;
  name: string;
  path: string;
  rev: number;
  isDir: boolean;
}

async function api<T>(user: TestUser, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${env.server.url}/api/v1${path}`, {
    method,
    headers: { ...user.auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

async function names(user: TestUser, path: string): Promise<string[]> {
  const r = await api<{ entries: Entry[] }>(user, 'GET', `/list?path=${encodeURIComponent(path)}&limit=1000`);
  expect(r.status).toBe(200);
  return r.body.entries.map((e) => e.name).sort();
}

async function trashNames(user: TestUser): Promise<string[]> {
  const r = await api<{ entries: Entry[] }>(user, 'GET', '/trash?limit=1000');
  return r.body.entries.map((e) => e.name).sort();
}

const row = (page: Page, name: string) => page.locator('.fb-row[data-index]').filter({ has: page.locator('.entry-name', { hasText: new RegExp(`^${name.replace(/\./g, '\\.')}$`) }) });

async function open(context: BrowserContext, path: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => {
    throw e;
  });
  await page.goto(path);
  return page;
}

/** A user with a small tree: /Documents (report.txt, plan.md), /Photos, notes.md, todo.txt. */
async function userWithTree(): Promise<TestUser> {
  const user = await env.server.user();
  const url = env.server.url;
  await mkdir(url, user, '/Documents');
  await mkdir(url, user, '/Photos');
  await put(url, user, '/Documents/report.txt', 'quarterly numbers');
  await put(url, user, '/Documents/plan.md', '# plan');
  await put(url, user, '/notes.md', '# hello');
  await put(url, user, '/todo.txt', 'milk, eggs');
  return user;
}

async function noViolations(page: Page): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
}

describe('the files screens', () => {
  it('lists a folder as a list and as a grid, sorts, and passes axe at phone and desktop size', async () => {
    const user = await userWithTree();
    for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
      const context = await signedInContext(env, user, viewport);
      const page = await open(context, '/files');
      await row(page, 'notes.md').waitFor();
      // Folders first, then by name.
      expect(await page.locator('.fb-row[data-index] .entry-name').allTextContents()).toEqual(['Documents', 'Photos', 'notes.md', 'todo.txt']);
      expect(await page.getByRole('grid').getAttribute('aria-rowcount')).toBe('5');
      await noViolations(page);
      await shot(page, `files-list-${size}`, true);
      // Sort by name, descending.
      await page.getByLabel('Sort by').selectOption('name:desc');
      expect(await page.locator('.fb-row[data-index] .entry-name').allTextContents()).toEqual(['Photos', 'Documents', 'todo.txt', 'notes.md']);
      await page.getByLabel('Sort by').selectOption('name:asc');
      await page.getByRole('button', { name: 'Grid view' }).click();
      await page.locator('.fb-tile').first().waitFor();
      expect(await page.locator('.fb-tile').count()).toBe(4);
      await noViolations(page);
      await shot(page, `files-grid-${size}`, true);
      await page.getByRole('button', { name: 'List view' }).click();
      await row(page, 'notes.md').waitFor();
      await context.close();
    }
  });

  it('makes a new folder and renames a file (menu and F2)', async () => {
    const user = await userWithTree();
    const context = await signedInContext(env, user, DESKTOP);
    const page = await open(context, '/files');
    await row(page, 'notes.md').waitFor();
    await page.getByRole('button', { name: 'New folder' }).click();
    await page.getByLabel('Folder name').fill('Invoices');
    await page.getByRole('button', { name: 'Create' }).click();
    await row(page, 'Invoices').waitFor();
    expect(await names(user, '/')).toContain('Invoices');

    await row(page, 'notes.md').getByRole('button', { name: 'More actions for notes.md' }).click();
    await noViolations(page);
    await page.getByRole('menuitem', { name: 'Rename' }).click();
    const field = page.getByLabel('New name');
    expect(await field.inputValue()).toBe('notes.md');
    await field.fill('journal.md');
    await page.getByRole('button', { name: 'Save' }).click();
    await row(page, 'journal.md').waitFor();
    expect(await names(user, '/')).toEqual(['Documents', 'Invoices', 'Photos', 'journal.md', 'todo.txt']);

    await row(page, 'todo.txt').locator('.c-mod').click();
    await page.keyboard.press('F2');
    await page.getByLabel('New name').fill('shopping.txt');
    await page.keyboard.press('Enter');
    await row(page, 'shopping.txt').waitFor();
    expect(await names(user, '/')).toContain('shopping.txt');
    await context.close();
  });

  it('moves a file by dragging its row onto a folder row, a breadcrumb, and with Move to…', async () => {
    const user = await userWithTree();
    const context = await signedInContext(env, user, DESKTOP);
    const page = await open(context, '/files');
    await row(page, 'notes.md').waitFor();
    await page.dragAndDrop('.fb-row[data-index="2"]', '.fb-row[data-index="0"]'); // notes.md onto Documents
    await expect.poll(() => names(user, '/Documents')).toEqual(['notes.md', 'plan.md', 'report.txt']);
    await expect.poll(() => row(page, 'notes.md').count()).toBe(0);

    // Into /Documents, then drag plan.md onto the "My files" breadcrumb.
    await row(page, 'Documents').locator('.entry-name').click();
    await row(page, 'plan.md').waitFor();
    const from = await row(page, 'plan.md').getAttribute('data-index');
    await page.dragAndDrop(`.fb-row[data-index="${from}"]`, 'nav.crumbs a >> text=My files');
    await expect.poll(() => names(user, '/')).toContain('plan.md');

    // Touch: select with the checkbox, then "Move to…" and a folder picker.
    await row(page, 'report.txt').getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Move to…' }).click();
    await page.getByRole('dialog').waitFor();
    await page.getByRole('button', { name: 'My files' }).click(); // up to the root
    await page.locator('.picker-item', { hasText: 'Photos' }).click();
    await page.getByText('/Photos', { exact: true }).waitFor();
    await noViolations(page);
    await page.getByRole('button', { name: 'Move here' }).click();
    await expect.poll(() => names(user, '/Photos')).toEqual(['report.txt']);
    await context.close();
  });

  it('moves to the trash with Undo, restores from the trash, purges one and empties it', async () => {
    const user = await userWithTree();
    for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
      const context = await signedInContext(env, user, viewport);
      const page = await open(context, '/files');
      await row(page, 'todo.txt').waitFor();
      // Delete, then Undo from the toast.
      await row(page, 'todo.txt').getByRole('button', { name: 'More actions for todo.txt' }).click();
      await page.getByRole('menuitem', { name: 'Move to trash' }).click();
      await page.getByRole('button', { name: 'Undo' }).click();
      await expect.poll(() => names(user, '/')).toContain('todo.txt');
      await row(page, 'todo.txt').waitFor();
      // Delete for real, then restore it from the trash screen.
      await row(page, 'todo.txt').getByRole('button', { name: 'More actions for todo.txt' }).click();
      await page.getByRole('menuitem', { name: 'Move to trash' }).click();
      await expect.poll(() => trashNames(user)).toEqual(['todo.txt']);
      await page.getByRole('link', { name: 'Trash' }).first().click({ force: true }).catch(() => page.goto('/trash'));
      if (new URL(page.url()).pathname !== '/trash') await page.goto('/trash');
      await page.getByRole('button', { name: 'Restore todo.txt' }).waitFor();
      await noViolations(page);
      await shot(page, `trash-${size}`, true);
      await page.getByRole('button', { name: 'Restore todo.txt' }).click();
      await page.getByText('The trash is empty.').waitFor();
      expect(await names(user, '/')).toContain('todo.txt');
      await context.close();
    }
    // Purge one (with its question) and empty the trash.
    await api(user, 'POST', '/delete', { path: '/notes.md' });
    await api(user, 'POST', '/delete', { path: '/Photos' });
    const context = await signedInContext(env, user, DESKTOP);
    const page = await open(context, '/trash');
    await page.getByRole('button', { name: 'Delete notes.md for good' }).click();
    await noViolations(page);
    await page.getByRole('dialog').getByRole('button', { name: 'Delete for good' }).click();
    await expect.poll(() => trashNames(user)).toEqual(['Photos']);
    await page.getByRole('button', { name: 'Empty trash' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Empty trash' }).click();
    await page.getByText('The trash is empty.').waitFor();
    expect(await trashNames(user)).toEqual([]);
    await context.close();
  });

  it('selects several (click, Ctrl-click, Shift-click, select all) and deletes them', async () => {
    const user = await userWithTree();
    await put(env.server.url, user, '/a.txt', 'a');
    await put(env.server.url, user, '/b.txt', 'b');
    const context = await signedInContext(env, user, DESKTOP);
    const page = await open(context, '/files');
    await row(page, 'a.txt').waitFor();
    const selected = () => page.locator('[aria-selected="true"] .entry-name').allTextContents();
    await row(page, 'a.txt').locator('.c-mod').click();
    await row(page, 'notes.md').locator('.c-mod').click({ modifiers: ['Shift'] });
    expect(await selected()).toEqual(['a.txt', 'b.txt', 'notes.md']);
    await row(page, 'b.txt').locator('.c-mod').click({ modifiers: ['Control'] });
    expect(await selected()).toEqual(['a.txt', 'notes.md']);
    await page.getByText('2 selected').waitFor();
    await page.keyboard.press('Delete');
    await expect.poll(() => trashNames(user)).toEqual(['a.txt', 'notes.md']);
    await expect.poll(() => row(page, 'a.txt').count()).toBe(0);
    await page.getByRole('checkbox', { name: 'Select all' }).check();
    expect(await selected()).toEqual(['Documents', 'Photos', 'b.txt', 'todo.txt']);
    await page.getByRole('button', { name: 'Clear selection' }).click();
    expect(await selected()).toEqual([]);
    await context.close();
  });

  it('works from the keyboard: arrows, Enter, Space, Ctrl+A, Escape, / and the ? dialog', async () => {
    const user = await userWithTree();
    for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
      const context = await signedInContext(env, user, viewport);
      const page = await open(context, '/files');
      await row(page, 'notes.md').waitFor();
      await page.locator('.fb-row[data-index="0"]').focus();
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('data-index'))).toBe('2');
      expect(await page.locator('[aria-selected="true"] .entry-name').allTextContents()).toEqual(['notes.md']);
      await page.keyboard.press('Shift+ArrowDown');
      expect(await page.locator('[aria-selected="true"] .entry-name').allTextContents()).toEqual(['notes.md', 'todo.txt']);
      await page.keyboard.press('Control+a');
      expect(await page.locator('[aria-selected="true"]').count()).toBe(4);
      await page.keyboard.press('Escape');
      expect(await page.locator('[aria-selected="true"]').count()).toBe(0);
      await page.keyboard.press('?');
      await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
      await noViolations(page);
      await shot(page, `files-shortcuts-${size}`, true);
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });
      await page.keyboard.press('/');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('files-search');
      // Home, then Enter opens the folder.
      await page.locator('.fb-row[data-index="2"]').focus();
      await page.keyboard.press('Home');
      await page.keyboard.press('Enter');
      await row(page, 'report.txt').waitFor();
      expect(new URL(page.url()).pathname).toBe('/files/Documents');
      await context.close();
    }
  });

  it('lists a file’s revisions, keeps one forever and restores an old one', async () => {
    const user = await env.server.user();
    await put(env.server.url, user, '/essay.txt', 'first draft');
    await put(env.server.url, user, '/essay.txt', 'second draft, longer', true);
    for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
      const context = await signedInContext(env, user, viewport);
      const page = await open(context, '/files');
      await row(page, 'essay.txt').getByRole('button', { name: 'More actions for essay.txt' }).click();
      await page.getByRole('menuitem', { name: 'Revisions' }).click();
      const dialog = page.getByRole('dialog', { name: 'Revisions of essay.txt' });
      await dialog.getByRole('button', { name: 'Restore revision 1' }).waitFor();
      expect(await dialog.getByRole('listitem').count()).toBeGreaterThanOrEqual(2);
      expect(await dialog.getByRole('link', { name: 'Download revision 1' }).getAttribute('href')).toMatch(/\/content\?rev=1$/);
      await noViolations(page);
      await shot(page, `revisions-${size}`, true);
      if (size === 'desktop') {
        // Keep forever: pressed, marked, and so the server says.
        const keep = dialog.getByRole('button', { name: 'Keep revision 1 forever' });
        expect(await keep.getAttribute('aria-pressed')).toBe('false');
        await keep.click();
        await expect.poll(() => keep.getAttribute('aria-pressed')).toBe('true');
        await dialog.getByText('kept forever').waitFor();
        const listed = (await (await fetch(`${env.server.url}/api/v1/revisions?path=%2Fessay.txt`, { headers: user.auth })).json()) as { revisions: { rev: number; keep: boolean }[] };
        expect(listed.revisions.find((r) => r.rev === 1)?.keep).toBe(true);
        await dialog.getByRole('button', { name: 'Restore revision 1' }).click();
        await dialog.getByText('Revision 3').waitFor();
        const body = await (await fetch(`${env.server.url}/api/v1/download?path=%2Fessay.txt`, { headers: user.auth })).text();
        expect(body).toBe('first draft');
      }
      await context.close();
    }
  });

  it('searches from the top bar and shows each result’s folder', async () => {
    const user = await userWithTree();
    await put(env.server.url, user, '/Photos/report-photo.jpg', 'jpg');
    for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
      const context = await signedInContext(env, user, viewport);
      const page = await open(context, '/files');
      await row(page, 'notes.md').waitFor();
      await page.getByRole('searchbox', { name: 'Search files' }).fill('report');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Results for “report”' }).waitFor();
      await row(page, 'report.txt').waitFor();
      expect(await page.locator('.fb-row[data-index] .entry-name').allTextContents()).toEqual(['report-photo.jpg', 'report.txt']);
      expect(await row(page, 'report.txt').locator('.entry-sub').textContent()).toBe('/Documents');
      await noViolations(page);
      await shot(page, `search-${size}`, true);
      await context.close();
    }
  });

  it('stars from a row and lists starred entries and recent files', async () => {
    const user = await userWithTree();
    for (const [size, viewport] of [['phone', PHONE], ['desktop', DESKTOP]] as const) {
      const context = await signedInContext(env, user, viewport);
      const page = await open(context, '/files');
      const star = row(page, 'notes.md').getByRole('button', { name: 'Star notes.md' });
      if (size === 'phone') {
        expect(await star.getAttribute('aria-pressed')).toBe('false');
        await star.click();
        await expect.poll(() => star.getAttribute('aria-pressed')).toBe('true');
        await row(page, 'Documents').getByRole('button', { name: 'More actions for Documents' }).click();
        await page.getByRole('menuitem', { name: 'Star' }).click();
        await expect.poll(() => row(page, 'Documents').getByRole('button', { name: 'Star Documents' }).getAttribute('aria-pressed')).toBe('true');
      }
      await page.goto('/starred');
      await page.getByRole('heading', { name: 'Starred' }).waitFor();
      await row(page, 'notes.md').waitFor();
      expect((await page.locator('.fb-row[data-index] .entry-name').allTextContents()).sort()).toEqual(['Documents', 'notes.md']);
      await noViolations(page);
      await shot(page, `starred-${size}`, true);
      await page.goto('/recent');
      await page.getByRole('heading', { name: 'Recent' }).waitFor();
      await row(page, 'todo.txt').waitFor();
      // Files only, newest first: todo.txt was uploaded last.
      expect(await page.locator('.fb-row[data-index] .entry-name').allTextContents()).toEqual(['todo.txt', 'notes.md', 'plan.md', 'report.txt']);
      await noViolations(page);
      await shot(page, `recent-${size}`, true);
      await context.close();
    }
    // Unstarring from the starred list takes it off.
    const context = await signedInContext(env, user, DESKTOP);
    const page = await open(context, '/starred');
    await row(page, 'notes.md').getByRole('button', { name: 'Star notes.md' }).click();
    await expect.poll(() => row(page, 'notes.md').count()).toBe(0);
    const starred = await api<{ entries: Entry[] }>(user, 'GET', '/starred');
    expect(starred.body.entries.map((e) => e.name)).toEqual(['Documents']);
    await context.close();
  });

  it('speaks Korean in the dark theme', async () => {
    const user = await userWithTree();
    const context = await env.browser.newContext({ baseURL: env.server.url, viewport: PHONE, locale: 'ko-KR', colorScheme: 'dark' });
    const login = await context.request.post('/api/v1/auth/login', { data: { username: user.username, password: TEST_PASSWORD, cookie: true }, headers: { origin: env.server.url } });
    expect(login.ok()).toBe(true);
    const page = await open(context, '/files');
    await row(page, 'notes.md').waitFor();
    await page.getByRole('button', { name: '새 폴더' }).waitFor();
    await row(page, 'notes.md').getByRole('button', { name: 'notes.md에 대한 작업 더 보기' }).click();
    await page.getByRole('menuitem', { name: '버전 기록' }).waitFor();
    await noViolations(page);
    await shot(page, 'files-menu-dark-ko-phone', true);
    await context.close();
  });

  it('renders a 10,000-entry folder as a window of rows and scrolls to its end', async () => {
    const user = await env.server.user();
    await seedWideFolder(env.server, user, 'Big', 10_000);
    const context = await signedInContext(env, user, DESKTOP);
    const page = await open(context, '/files/Big');
    await row(page, 'entry-00001').waitFor({ timeout: 30_000 });
    // The first page shows at once; the rest follow.
    await expect.poll(() => page.getByRole('grid').getAttribute('aria-rowcount'), { timeout: 30_000 }).toBe('10001');
    const inDom = await page.locator('.fb-row[data-index]').count();
    expect(inDom).toBeGreaterThan(10);
    expect(inDom).toBeLessThan(60);
    // To the end by keyboard: the last row is there, focused, with its row index.
    await page.locator('.fb-row[data-index="0"]').click({ position: { x: 600, y: 20 } });
    await page.keyboard.press('End');
    await row(page, 'entry-10000').waitFor();
    expect(await row(page, 'entry-10000').getAttribute('aria-rowindex')).toBe('10001');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-index'))).toBe('9999');
    expect(await page.locator('.fb-row[data-index]').count()).toBeLessThan(60);
    // Back to the top by scrolling: the rows are recycled, and keyboard focus stays on its entry.
    await page.locator('.fb-scroll').evaluate((el) => (el.scrollTop = 0));
    await row(page, 'entry-00001').waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain('entry-10000');
    await page.keyboard.press('ArrowUp');
    await row(page, 'entry-09999').waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-index'))).toBe('9998');
    await context.close();
  }, 90_000);
});
