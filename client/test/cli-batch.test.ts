/**
 * `coffer put -r` on the batch path (issue 20): a tree of 700 small files and one bigger file goes
 * in far fewer requests than files (counted by the server itself: its
 * coffer_http_requests_total), lands byte-identical, and a file whose name the server refuses
 * is reported on its own line while every other file is committed (exit 1). A file changed
 * locally is a conflict of its own (exit 3) until --overwrite; the rest are up to date.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliTransfer } from '@coffer/protocol';
import { runCli, useSignedInCli } from './cli-harness.js';
import { useTempDir } from '@coffer/test-support/temp-dir';
import { requestsServed } from './server-metrics.js';

const dir = useTempDir('coffer-cli-batch-');
const cliEnv = useSignedInCli(dir);
const cli = (...args: string[]) => runCli(args, { configDir: cliEnv.configDir, cwd: dir() });

describe('put -r in batches', () => {
  it('700 small files in a handful of requests, byte-identical; a refused name fails alone', async () => {
    const tree = new Map<string, Buffer>();
    for (let i = 0; i < 700; i++) tree.set(`d${i % 7}/f${String(i).padStart(4, '0')}.txt`, randomBytes(100 + ((i * 37) % 3000)));
    tree.set('d0/same-a.txt', Buffer.from('the same bytes twice'));
    tree.set('d1/same-b.txt', Buffer.from('the same bytes twice'));
    tree.set('d2/deeper/big.bin', randomBytes(1536 * 1024)); // over the batch limit: the per-file path
    tree.set('d3/empty', Buffer.alloc(0));
    for (const [rel, bytes] of tree) {
      await mkdir(join(dir(), 'up', rel, '..'), { recursive: true });
      await writeFile(join(dir(), 'up', rel), bytes);
    }
    // A Windows device name: the server refuses it (400 invalid_path, the name's reason), Linux does not.
    await writeFile(join(dir(), 'up', 'd4', 'nul.txt'), 'refused');

    const before = await requestsServed(cliEnv.srv);
    const first = await cli('put', '-r', 'up', '/Batch', '--json');
    const requests = (await requestsServed(cliEnv.srv)) - before - 1; // less the /metrics request itself
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr).toMatch(/^coffer put: \/Batch\/d4\/nul\.txt: .*(not allowed|reserved|Invalid name)/im);
    expect(first.stderr).toMatch(/1 of \d+ entries not uploaded/);
    const out = CliTransfer.parse(JSON.parse(first.stdout));
    expect(out.failed).toEqual([expect.objectContaining({ remote: '/Batch/d4/nul.txt', code: 'invalid_path' })]);
    expect(out.files.map((f) => f.remote).sort()).toEqual([...tree.keys()].map((k) => `/Batch/${k}`).sort());
    // 705 files: a stat (nothing there yet: no listings), 9 mkdirs, 2 batches × 3, the big file's 4 or so.
    console.log(`put -r: ${requests} requests for ${tree.size + 1} files`);
    expect(requests, `requests for ${tree.size + 1} files`).toBeLessThan(40);
    // The duplicate content was sent once: one of the two files carries its block.
    const dup = out.files.filter((f) => /same-[ab]/.test(f.remote)).map((f) => f.blocksSent);
    expect(dup.sort()).toEqual([0, 1]);

    const got = await cli('get', '-r', '/Batch', 'down');
    expect(got.code, got.stderr).toBe(0);
    for (const [rel, bytes] of tree) expect(Buffer.compare(await readFile(join(dir(), 'down', rel)), bytes), rel).toBe(0);

    // Again, one file changed: a conflict of its own (exit 3), everything else already up to date.
    await writeFile(join(dir(), 'up', 'd5', 'f0005.txt'), 'changed');
    const again = await cli('put', '-r', 'up', '/Batch', '--json');
    expect(again.code, again.stderr).toBe(1); // the refused name still fails (exit 1), with the conflict (3): they differ
    const second = CliTransfer.parse(JSON.parse(again.stdout));
    expect(second.failed?.map((f) => [f.remote, f.code]).sort()).toEqual([
      ['/Batch/d4/nul.txt', 'invalid_path'],
      ['/Batch/d5/f0005.txt', 'conflict'],
    ]);
    expect(second.files.every((f) => f.upToDate && f.bytesSent === 0)).toBe(true);
    expect(second.files).toHaveLength(tree.size - 1);

    // Only conflicts: exit 3; --overwrite makes a new revision of that file alone.
    await rm(join(dir(), 'up', 'd4', 'nul.txt'));
    const conflictOnly = await cli('put', '-r', 'up', '/Batch');
    expect(conflictOnly.code, conflictOnly.stderr).toBe(3);
    expect(conflictOnly.stderr).toMatch(/coffer put: \/Batch\/d5\/f0005\.txt: exists \(rev 1\) with other content; use --overwrite/);
    const forced = CliTransfer.parse(JSON.parse((await cli('put', '-r', 'up', '/Batch', '--overwrite', '--json')).stdout));
    expect(forced.files.filter((f) => !f.upToDate).map((f) => [f.remote, f.rev])).toEqual([['/Batch/d5/f0005.txt', 2]]);
  }, 300_000);
});
