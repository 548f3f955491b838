/**
 * A viewer's `coffer sync` of a view-only share (issue 15): it downloads, but never uploads. A
 * local edit is kept as a local conflicted copy beside the file, the server's version comes back
 * in its place, a local new file stays local, all of it reported, and not one block is sent.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../../server/test/fixtures/server-process.js';
import { makeTempDir, type TempDir } from '../../test-support/temp-dir.js';
import { fingerprintOfPem, PASSWORD, runCli } from './cli-harness.js';
import { Agent, snapshot, sha, until } from './sync-harness.js';

let srv: ServerProcess;
let temp: TempDir;
let viewer: Agent;
let editor: Agent | undefined;

beforeAll(async () => {
  srv = await startServerProcess({ tls: true, admin: true });
  temp = await makeTempDir('coffer-viewer-');
}, 90_000);

afterAll(async () => {
  await viewer?.stop();
  await editor?.stop();
  await srv?.cleanup();
  await temp?.remove();
});

describe('coffer sync as a viewer', () => {
  it('keeps a local edit as a local conflicted copy, restores the server version, uploads nothing', async () => {
    const name = `viewer_${Date.now().toString(36)}`;
    const made = await srv.call('POST', '/api/v1/admin/users', { headers: srv.adminAuth, json: { username: name, password: PASSWORD, mustChangePassword: false } });
    expect(made.status).toBe(201);
    expect((await srv.call('POST', '/api/v1/mkdir', { json: { path: '/Family' } })).status).toBe(201);
    expect((await srv.call('POST', '/api/v1/upload?uploadType=media&path=/Family/photo.txt', { body: 'original' })).status).toBe(201);
    const share = await srv.call('POST', '/api/v1/shares', { json: { path: '/Family', user: name, role: 'viewer' } });
    expect(share.status).toBe(201);
    const login = await srv.call('POST', '/api/v1/auth/login', { json: { username: name, password: PASSWORD } });
    const vauth = { authorization: `Bearer ${login.json<{ token: string }>().token}` };
    expect((await srv.call('POST', `/api/v1/shares/${share.json<{ id: string }>().id}/accept`, { headers: vauth, json: { name: 'Family' } })).status).toBe(200);

    const configDir = join(temp.path, 'config');
    const r = await runCli(['login', srv.url, '--username', name, '--password-stdin', '--fingerprint', fingerprintOfPem(srv.ca!), '--device-name', 'viewer-laptop'], { configDir, input: PASSWORD });
    expect(r.code, r.stderr).toBe(0);
    const dir = join(temp.path, 'family');
    await (await import('node:fs/promises')).mkdir(dir);
    viewer = new Agent('viewer', dir, configDir, join(temp.path, 'stats.jsonl'), '/Family');
    viewer.start();
    await until(async () => (await snapshot(dir)).get('photo.txt') === sha('original'));

    const from = viewer.output.length;
    await writeFile(join(dir, 'photo.txt'), 'edited by the viewer');
    await writeFile(join(dir, 'notes.txt'), 'a new file of the viewer');
    const copy = 'photo (conflicted copy, view-only share).txt';
    await until(async () => {
      const s = await snapshot(dir);
      return s.get('photo.txt') === sha('original') && s.get(copy) === sha('edited by the viewer');
    });
    await viewer.waitFor(/kept this device's edit as photo \(conflicted copy, view-only share\)\.txt/, from);
    await viewer.waitFor(/notes\.txt is in a view-only share: kept here only/, from);
    await viewer.waitFor(/idle/, viewer.output.length - 200);
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('a new file of the viewer');

    // The server holds exactly what the owner put there; the viewer's agent sent no block.
    const list = await srv.call('GET', '/api/v1/list?path=/Family');
    expect(list.json<{ entries: { name: string; rev: number }[] }>().entries.map((e) => [e.name, e.rev])).toEqual([['photo.txt', 1]]);
    await viewer.stop();
    expect((await viewer.stats()).blocksSent).toBe(0);
    expect(viewer.output).not.toMatch(/sync pass failed/);
  }, 120_000);

  it("an editor's `coffer sync` of a mounted share syncs it both ways, into the owner's folder", async () => {
    const name = `editor_${Date.now().toString(36)}`;
    expect((await srv.call('POST', '/api/v1/admin/users', { headers: srv.adminAuth, json: { username: name, password: PASSWORD, mustChangePassword: false } })).status).toBe(201);
    expect((await srv.call('POST', '/api/v1/mkdir', { json: { path: '/Team' } })).status).toBe(201);
    expect((await srv.call('POST', '/api/v1/upload?uploadType=media&path=/Team/plan.txt', { body: 'plan v1' })).status).toBe(201);
    const share = await srv.call('POST', '/api/v1/shares', { json: { path: '/Team', user: name, role: 'editor' } });
    const login = await srv.call('POST', '/api/v1/auth/login', { json: { username: name, password: PASSWORD } });
    const eauth = { authorization: `Bearer ${login.json<{ token: string }>().token}` };
    expect((await srv.call('POST', `/api/v1/shares/${share.json<{ id: string }>().id}/accept`, { headers: eauth, json: { name: 'Work' } })).status).toBe(200);
    const configDir = join(temp.path, 'config-editor');
    const r = await runCli(['login', srv.url, '--username', name, '--password-stdin', '--fingerprint', fingerprintOfPem(srv.ca!), '--device-name', 'editor-laptop'], { configDir, input: PASSWORD });
    expect(r.code, r.stderr).toBe(0);
    const dir = join(temp.path, 'work');
    await (await import('node:fs/promises')).mkdir(dir);
    editor = new Agent('editor', dir, configDir, join(temp.path, 'stats-editor.jsonl'), '/Work');
    editor.start();
    await until(async () => (await snapshot(dir)).get('plan.txt') === sha('plan v1'));
    // The editor's new file lands in the owner's folder; the owner's edit comes down.
    await writeFile(join(dir, 'from-editor.txt'), 'hello from the editor');
    await until(async () => (await srv.call('GET', '/api/v1/download?path=/Team/from-editor.txt')).body.toString() === 'hello from the editor');
    expect((await srv.call('POST', '/api/v1/upload?uploadType=media&path=/Team/plan.txt&overwrite=true', { body: 'plan v2' })).status).toBe(201);
    await until(async () => (await snapshot(dir)).get('plan.txt') === sha('plan v2'));
    expect(editor.output).not.toMatch(/sync pass failed/);
  }, 120_000);
});

