/**
 * A viewer's `coffer sync` of a view-only share (issue 15): it downloads, but never uploads. A
 * local edit is kept as a local conflicted copy beside the file, the server's version comes back
 * in its place, a local new file stays local, all of it reported, and not one block is sent.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '@coffer/server/testing/server-process';
import { makeTempDir, type TempDir } from '@coffer/test-support/temp-dir';
import { fingerprintOfPem, PASSWORD, runCli } from './cli-harness.js';
import { Agent, snapshot, sha, until } from './sync-harness.js';

let srv: ServerProcess;
let temp: TempDir;
let viewer: Agent;
let editor: Agent | undefined;
/** The share each recipient agent syncs, by role. */
const shareIds = new Map<string, string>();

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

/**
 * The test user (the owner) makes FOLDER with FILE in it and shares it with a new user as ROLE,
 * who accepts it under the same name and starts `coffer sync` of the mount; the agent, once FILE is down.
 */
async function recipientAgent(role: 'viewer' | 'editor', folder: string, file: string, content: string): Promise<Agent> {
  const name = `${role}_${Date.now().toString(36)}`;
  expect((await srv.call('POST', '/api/v1/admin/users', { headers: srv.adminAuth, json: { username: name, password: PASSWORD, mustChangePassword: false } })).status).toBe(201);
  expect((await srv.call('POST', '/api/v1/mkdir', { json: { path: `/${folder}` } })).status).toBe(201);
  expect((await srv.call('POST', `/api/v1/upload?uploadType=media&path=/${folder}/${file}`, { body: content })).status).toBe(201);
  const share = await srv.call('POST', '/api/v1/shares', { json: { path: `/${folder}`, user: name, role } });
  expect(share.status).toBe(201);
  shareIds.set(role, share.json<{ id: string }>().id);
  const login = await srv.call('POST', '/api/v1/auth/login', { json: { username: name, password: PASSWORD } });
  const auth = { authorization: `Bearer ${login.json<{ token: string }>().token}` };
  expect((await srv.call('POST', `/api/v1/shares/${share.json<{ id: string }>().id}/accept`, { headers: auth, json: { name: folder } })).status).toBe(200);
  const configDir = join(temp.path, `config-${role}`);
  const r = await runCli(['login', srv.url, '--username', name, '--password-stdin', '--fingerprint', fingerprintOfPem(srv.ca!), '--device-name', `${role}-laptop`], { configDir, input: PASSWORD });
  expect(r.code, r.stderr).toBe(0);
  const dir = join(temp.path, folder);
  await mkdir(dir);
  const agent = new Agent(role, dir, configDir, join(temp.path, `stats-${role}.jsonl`), `/${folder}`);
  agent.start();
  await until(async () => (await snapshot(dir)).get(file) === sha(content));
  return agent;
}

describe('coffer sync as a viewer', () => {
  it('keeps a local edit as a local conflicted copy, restores the server version, uploads nothing', async () => {
    viewer = await recipientAgent('viewer', 'Family', 'photo.txt', 'original');
    const dir = viewer.dir;

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
    editor = await recipientAgent('editor', 'Team', 'plan.txt', 'plan v1');
    const dir = editor.dir;
    // The editor's new file lands in the owner's folder; the owner's edit comes down.
    await writeFile(join(dir, 'from-editor.txt'), 'hello from the editor');
    await until(async () => (await srv.call('GET', '/api/v1/download?path=/Team/from-editor.txt')).body.toString() === 'hello from the editor');
    expect((await srv.call('POST', '/api/v1/upload?uploadType=media&path=/Team/plan.txt&overwrite=true', { body: 'plan v2' })).status).toBe(201);
    await until(async () => (await snapshot(dir)).get('plan.txt') === sha('plan v2'));
    expect(editor.output).not.toMatch(/sync pass failed/);
  }, 120_000);

  it('a role changed while the agent runs takes effect at once, and the event socket stays up', async () => {
    const agent = editor!;
    const dir = agent.dir;
    const id = shareIds.get('editor')!;
    const role = async (r: 'viewer' | 'editor') => {
      const at = agent.output.length;
      expect((await srv.call('PATCH', `/api/v1/shares/${id}`, { json: { role: r } })).status).toBe(200);
      // The event wakes a pass, which reads the roles again (a pass the socket woke otherwise asks nothing).
      await agent.waitFor(/ idle\n/, at);
      await new Promise((res) => setTimeout(res, 300));
    };
    const serverHas = async (name: string) => (await srv.call('GET', `/api/v1/download?path=/Team/${name}`)).status === 200;

    // Made a viewer: a new file stays here, reported, and never reaches the owner's folder.
    await role('viewer');
    let from = agent.output.length;
    await writeFile(join(dir, 'while-viewer.txt'), 'written while only a viewer');
    await agent.waitFor(/while-viewer\.txt is in a view-only share: kept here only/, from);
    expect(await serverHas('while-viewer.txt')).toBe(false);

    // An editor again: the next new file goes up.
    await role('editor');
    from = agent.output.length;
    await writeFile(join(dir, 'while-editor.txt'), 'written as an editor again');
    await until(() => serverHas('while-editor.txt'));
    // The share_changed events were understood: the socket never dropped to long polls.
    expect(agent.output).not.toMatch(/event socket (dropped|did not open)/);
    expect(agent.output).not.toMatch(/sync pass failed/);
  }, 120_000);
});

