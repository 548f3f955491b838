/**
 * `coffer sync` sends an edit as a delta (issue 21): the agent keeps the blocks it sent in its
 * block cache (`.coffer/blocks`), so a one-byte edit of a 6 MiB file goes as a zstd delta of a
 * few KiB against the replaced version's block — counted by `--stats` (blockWireBytesSent) — and
 * the server holds the edited bytes exactly.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '@coffer/test-support/temp-dir';
import { runCli, useSignedInCli } from './cli-harness.js';

const dir = useTempDir('coffer-cli-sync-delta-');
const cliEnv = useSignedInCli(dir);
const cli = (...args: string[]) => runCli(args, { configDir: cliEnv.configDir, cwd: dir() });

async function lastStats(file: string): Promise<{ blocksSent: number; blockBytesSent: number; blockWireBytesSent: number }> {
  const lines = (await readFile(file, 'utf8')).trim().split('\n');
  return JSON.parse(lines.at(-1)!);
}

describe('sync sends edits as deltas', () => {
  it('a one-byte edit of a 6 MiB file goes as a few KiB on the wire, and lands exactly', async () => {
    const folder = join(dir(), 'Docs');
    const data = randomBytes(6 * 1024 * 1024);
    const first = await cli('sync', folder, '/Docs', '--create', '--once', '--stats', join(dir(), 'first.jsonl'));
    expect(first.code, first.stderr).toBe(0);
    await writeFile(join(folder, 'big.bin'), data);
    const sent = await cli('sync', folder, '/Docs', '--once', '--stats', join(dir(), 'sent.jsonl'));
    expect(sent.code, sent.stderr).toBe(0);
    expect((await lastStats(join(dir(), 'sent.jsonl'))).blockBytesSent).toBe(data.length);
    expect((await readdir(join(folder, '.coffer', 'blocks'), { recursive: true })).length).toBeGreaterThan(0);

    const at = 3 * 1024 * 1024 + 777;
    data[at] = data[at]! ^ 0xff;
    await writeFile(join(folder, 'big.bin'), data);
    const edit = await cli('sync', folder, '/Docs', '--once', '--stats', join(dir(), 'edit.jsonl'));
    expect(edit.code, edit.stderr).toBe(0);
    const s = await lastStats(join(dir(), 'edit.jsonl'));
    expect(s.blocksSent).toBeGreaterThanOrEqual(1);
    expect(s.blockBytesSent).toBeGreaterThan(200 * 1024); // a whole block's plaintext changed…
    expect(s.blockWireBytesSent).toBeLessThan(16 * 1024); // …and went as a delta

    const got = await cli('get', '/Docs/big.bin', join(dir(), 'back.bin'));
    expect(got.code, got.stderr).toBe(0);
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(sha(await readFile(join(dir(), 'back.bin')))).toBe(sha(data));
  });
});
