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

beforeAll(async () => {
  srv = await startServerProcess({ tls: true, admin: true });
  temp = await makeTempDir('coffer-viewer-');
}, 90_000);

afterAll(async () => {
  await viewer?.stop();
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
});
