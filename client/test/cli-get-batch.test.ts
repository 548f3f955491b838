/**
 * `coffer get -r` on the batch path (issue 20): a tree of 500 small files, an empty one and one
 * bigger file comes back in far fewer requests than files (counted by the server itself: its
 * coffer_http_requests_total), byte-identical and with the remote mtimes; run again, every file is
 * up to date and nothing is fetched; a file changed locally is fetched again alone.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliTransfer } from '@coffer/protocol';
import { runCli, useSignedInCli } from './cli-harness.js';
import { useTempDir } from '@coffer/test-support/temp-dir';
import { requestsServed } from './server-metrics.js';

const dir = useTempDir('coffer-cli-get-batch-');
const cliEnv = useSignedInCli(dir);
const cli = (...args: string[]) => runCli(args, { configDir: cliEnv.configDir, cwd: dir() });

describe('get -r in batches', () => {
  it('500 small files in a handful of requests, byte-identical; again: all up to date; a local change is fetched alone', async () => {
    const tree = new Map<string, Buffer>();
    for (let i = 0; i < 500; i++) tree.set(`d${i % 5}/f${String(i).padStart(3, '0')}.txt`, randomBytes(100 + ((i * 37) % 3000)));
    tree.set('d0/same-a.txt', Buffer.from('the same bytes twice'));
    tree.set('d1/same-b.txt', Buffer.from('the same bytes twice'));
    tree.set('d2/deeper/big.bin', randomBytes(1536 * 1024)); // over the batch limit: the per-file path
    tree.set('d3/empty', Buffer.alloc(0));
    for (const [rel, bytes] of tree) {
      await mkdir(join(dir(), 'up', rel, '..'), { recursive: true });
      await writeFile(join(dir(), 'up', rel), bytes);
    }
    const up = await cli('put', '-r', 'up', '/Tree');
    expect(up.code, up.stderr).toBe(0);

    const before = await requestsServed(cliEnv.srv);
    const got = await cli('get', '-r', '/Tree', '.', '--json');
    const requests = (await requestsServed(cliEnv.srv)) - before - 1; // less the /metrics request itself
    // Into the current folder, like cp: ./Tree, both times.
    expect(got.code, got.stderr).toBe(0);
    const out = CliTransfer.parse(JSON.parse(got.stdout));
    expect(out.files.map((f) => f.remote).sort()).toEqual([...tree.keys()].map((k) => `/Tree/${k}`).sort());
    expect(out.files.every((f) => !f.upToDate)).toBe(true);
    // 504 files: a stat, 7 listings, one batch (block lists, one fetched pack), the big file's 2 or so.
    console.log(`get -r: ${requests} requests for ${tree.size} files`);
    expect(requests, `requests for ${tree.size} files`).toBeLessThan(20);
    for (const [rel, bytes] of tree) expect(Buffer.compare(await readFile(join(dir(), 'Tree', rel)), bytes), rel).toBe(0);
    // The remote modification time is kept, as a download of one file keeps it.
    const listed = JSON.parse((await cli('ls', '/Tree/d4', '--json')).stdout).entries as { name: string; modifiedAt: string }[];
    const remote = listed.find((e) => e.name === 'f004.txt')!;
    expect((await stat(join(dir(), 'Tree', 'd4', 'f004.txt'))).mtimeMs).toBe(Date.parse(remote.modifiedAt));

    // Again: everything is up to date, nothing fetched (no block list, no pack).
    await writeFile(join(dir(), 'Tree', 'd1', 'f001.txt'), 'changed here');
    const before2 = await requestsServed(cliEnv.srv);
    const again = await cli('get', '-r', '/Tree', '.', '--json');
    const requests2 = (await requestsServed(cliEnv.srv)) - before2 - 1;
    expect(again.code, again.stderr).toBe(0);
    const second = CliTransfer.parse(JSON.parse(again.stdout));
    expect(second.files.filter((f) => !f.upToDate).map((f) => f.remote)).toEqual(['/Tree/d1/f001.txt']);
    expect(await readFile(join(dir(), 'Tree', 'd1', 'f001.txt'))).toEqual(tree.get('d1/f001.txt'));
    expect(requests2).toBeLessThan(14);
  }, 300_000);
});
