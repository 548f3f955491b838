/**
 * cadaver (Debian) scripted against /dav/: create, move, lock, put under the lock, unlock, delete;
 * the REST API sees each result. A file locked by someone else refuses cadaver's put (423).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeTempDir, type TempDir } from '@coffer/test-support/temp-dir';
import { run, startDavServer, type DavServer } from './fixtures/webdav.js';

let s: DavServer;
let home: TempDir;
beforeAll(async () => {
  s = await startDavServer();
  home = await makeTempDir('coffer-cadaver-');
  // cadaver takes its credentials from ~/.netrc (matched by host name).
  await writeFile(join(home.path, '.netrc'), `machine 127.0.0.1\nlogin ${s.username}\npassword ${s.password}\n`, { mode: 0o600 });
  await writeFile(join(home.path, 'local.txt'), 'hello from cadaver\n');
});
afterAll(async () => {
  await s?.close();
  await home?.remove();
});

function cadaver(script: string[]) {
  return run('cadaver', [`${s.dav}/`], { cwd: home.path, env: { HOME: home.path }, input: `${script.join('\n')}\nquit\n`, timeoutMs: 60_000 });
}

async function rest(path: string): Promise<number> {
  return (await fetch(`${s.server.url}/api/v1/metadata?path=${encodeURIComponent(path)}`, { headers: s.bearer })).status;
}

it('creates, moves, locks, writes under its lock, unlocks and deletes', async () => {
  const r = await cadaver([
    'mkcol projects',
    'cd projects',
    'put local.txt draft.txt',
    'move draft.txt final.txt',
    'lock final.txt',
    'discover final.txt',
    'put local.txt final.txt',
    'unlock final.txt',
    'get final.txt fetched.txt',
    'put local.txt scratch.txt',
    'delete scratch.txt',
    'ls',
  ]);
  expect(r.code).toBe(0);
  const out = r.stdout;
  for (const step of ["Creating `projects': succeeded", "Moving `/dav/projects/draft.txt' to `/dav/projects/final.txt':  succeeded", "Locking `final.txt': succeeded", "Unlocking `final.txt': succeeded", "Deleting `scratch.txt': succeeded"]) {
    expect(out).toContain(step);
  }
  expect(out).toMatch(/Scope: exclusive\s+Type: write/);
  expect(out).not.toMatch(/failed/i);
  expect(await readFile(join(home.path, 'fetched.txt'), 'utf8')).toBe('hello from cadaver\n');
  expect(await rest('/projects/final.txt')).toBe(200);
  expect(await rest('/projects/draft.txt')).toBe(404);
  expect(await rest('/projects/scratch.txt')).toBe(404);
  // Written twice: revision 2.
  const meta = (await (await fetch(`${s.server.url}/api/v1/metadata?path=/projects/final.txt`, { headers: s.bearer })).json()) as { rev: number };
  expect(meta.rev).toBe(2);
});

it("cannot write a file someone else locked", async () => {
  expect((await s.fetch('/held.txt', { method: 'PUT', body: 'mine' })).status).toBe(201);
  const lock = await s.fetch('/held.txt', {
    method: 'LOCK',
    headers: { 'content-type': 'application/xml', timeout: 'Second-60' },
    body: '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>other</D:owner></D:lockinfo>',
  });
  expect(lock.status).toBe(200);
  const r = await cadaver(['put local.txt held.txt']);
  expect(r.stdout).toMatch(/423|Locked/);
  expect(await (await s.fetch('/held.txt')).text()).toBe('mine');
});
