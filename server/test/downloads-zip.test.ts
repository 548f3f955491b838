/**
 * A folder downloads as one zip (GET /files/{id}/zip, the web app's "Download" of a folder):
 * the owner's folder with a nested one, its exact announced length, entries under the folder's
 * name with their bytes (`unzip`), a share's recipient may zip what they can read, a stranger's
 * answer is a missing file's, and a file id is 409 not_a_folder.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '@coffer/test-support/temp-dir';
import { useTestServer } from './fixtures/server.js';
import { upload } from './fixtures/transfer.js';

type Json = Record<string, any>;

describe('folders download as zips', () => {
  const srv = useTestServer('postgres');
  const tmp = useTempDir('coffer-zip-dl-');

  it('zips a folder for its owner and a recipient; refuses strangers and files', async () => {
    const owner = await srv.user();
    const bob = await srv.user();
    const stranger = await srv.user();
    const post = (u: { auth: Record<string, string> }, path: string, body: unknown) =>
      fetch(`${srv.url}/api/v1${path}`, { method: 'POST', headers: { ...u.auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const folder = (await (await post(owner, '/mkdir', { path: '/Trip' })).json()) as Json;
    expect((await post(owner, '/mkdir', { path: '/Trip/Day 1' })).status).toBe(201);
    expect((await upload(srv.url, owner.auth, '/Trip/plan.txt', Buffer.from('the plan'))).status).toBe(201);
    const photo = (await (await upload(srv.url, owner.auth, '/Trip/Day 1/photo.bin', Buffer.alloc(300_000, 9))).json()) as Json;

    const res = await fetch(`${srv.url}/api/v1/files/${folder.id}/zip`, { headers: owner.auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; .*Trip\.zip/);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBe(Number(res.headers.get('content-length')));
    const file = join(tmp(), 'trip.zip');
    await writeFile(file, bytes);
    const list = spawnSync('unzip', ['-Z1', file], { encoding: 'utf8' });
    if (list.error) {
      // No unzip here: look for the names in the central directory instead.
      for (const n of ['Trip/', 'Trip/plan.txt', 'Trip/Day 1/', 'Trip/Day 1/photo.bin']) expect(bytes.includes(Buffer.from(n)), n).toBe(true);
    } else {
      expect(list.stdout.trim().split('\n').sort()).toEqual(['Trip/', 'Trip/Day 1/', 'Trip/Day 1/photo.bin', 'Trip/plan.txt']);
      expect(spawnSync('unzip', ['-p', file, 'Trip/plan.txt'], { encoding: 'utf8' }).stdout).toBe('the plan');
      expect(spawnSync('unzip', ['-t', file], { encoding: 'utf8' }).status).toBe(0);
    }

    // HEAD tells the length without the bytes.
    const head = await fetch(`${srv.url}/api/v1/files/${folder.id}/zip`, { method: 'HEAD', headers: owner.auth });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(bytes.length));

    // A stranger: like a missing file. A file: not a folder.
    const other = await fetch(`${srv.url}/api/v1/files/${folder.id}/zip`, { headers: stranger.auth });
    expect(other.status).toBe(404);
    expect(((await other.json()) as Json).error.code).toBe('not_found');
    const notDir = await fetch(`${srv.url}/api/v1/files/${photo.id}/zip`, { headers: owner.auth });
    expect(notDir.status).toBe(409);
    expect(((await notDir.json()) as Json).error.code).toBe('not_a_folder');

    // A recipient of the folder (viewer) may zip it.
    const share = (await (await post(owner, '/shares', { id: folder.id, user: bob.username, role: 'viewer' })).json()) as Json;
    expect((await post(bob, `/shares/${share.id}/accept`, {})).status).toBe(200);
    const shared = await fetch(`${srv.url}/api/v1/files/${folder.id}/zip`, { headers: bob.auth });
    expect(shared.status).toBe(200);
    expect(Buffer.from(await shared.arrayBuffer()).length).toBe(bytes.length);
  });
});
