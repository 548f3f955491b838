/**
 * The CLI's conventions without a server: --version, help, every command's --help (exit 0, with
 * each of its options and an example), unknown commands and bad use (exit 2), server address
 * forms, and the completion scripts (each parses in its shell).
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliVersion } from '@coffer/protocol';
import { COMMAND_HELP } from '../src/cli/help.js';
import { serverUrl } from '../src/cli/server-url.js';
import { runCli } from './cli-harness.js';
import { useTempDir } from '@coffer/test-support/temp-dir';

const dir = useTempDir('coffer-cli-conv-');
const cli = (...args: string[]) => runCli(args, { configDir: join(dir(), 'config') });

describe('coffer conventions', () => {
  it('--version prints the version (and as JSON)', async () => {
    const r = await cli('--version');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^coffer \d+\.\d+\.\d+ \(node v\d+/);
    const j = await cli('--version', '--json');
    expect(CliVersion.parse(JSON.parse(j.stdout)).version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('help lists every command and the exit codes; no command at all is a usage error', async () => {
    const r = await cli('help');
    expect(r.code).toBe(0);
    for (const name of Object.keys(COMMAND_HELP)) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(r.stdout).toMatch(/exit codes: 0 ok, 1 error, 2 usage, 3 conflict/);
    const none = await cli();
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^usage: coffer COMMAND/);
  });

  it('every command takes --help: exit 0, its usage, each option and an example', async () => {
    for (const [name, h] of Object.entries(COMMAND_HELP)) {
      const r = await cli(name, '--help');
      expect(r.code, `${name} --help: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain(`usage: coffer ${name}`);
      for (const [flags] of h.options) for (const flag of flags.split(', ')) expect(r.stdout).toContain(flag.split(' ')[0]);
      expect(r.stdout).toMatch(/examples:\n  .*coffer /);
    }
    expect((await cli('help', 'put')).stdout).toBe((await cli('put', '-h')).stdout);
    // After `--`, --help is an argument (a path), not a request for help.
    const r = await cli('ls', '--', '--help');
    expect(r.code).toBe(4);
  }, 240_000);

  it('an unknown command or option is a usage error (exit 2)', async () => {
    const r = await cli('frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "frobnicate"/);
    const bad = await cli('ls', '--no-such-flag');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/usage: coffer ls/);
  });

  it('not logged in: exit 4 and what to do', async () => {
    const r = await cli('ls');
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/not logged in; run `coffer login URL`/);
  });

  it('takes host:port as https, and full URLs', () => {
    expect(serverUrl('localhost:18443').href).toBe('https://localhost:18443/');
    expect(serverUrl('cloud.example.com').origin).toBe('https://cloud.example.com');
    expect(serverUrl('http://10.0.0.5:8080').origin).toBe('http://10.0.0.5:8080');
    expect(() => serverUrl('ftp://x')).toThrow(/https/);
    expect(() => serverUrl('https://x/some/path')).toThrow(/without a path/);
  });

  it('prints completion scripts that parse in their shells', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await cli('completion', shell);
      expect(r.code).toBe(0);
      for (const name of ['login', 'put', 'sync']) expect(r.stdout).toContain(name);
      expect(r.stdout).toContain(shell === 'fish' ? '-l overwrite' : '--overwrite');
      const file = join(dir(), `coffer.${shell}`);
      await writeFile(file, r.stdout);
      const has = spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;
      if (has) expect(spawnSync(shell, ['-n', file]).status, `${shell} -n`).toBe(0);
    }
    expect((await cli('completion', 'powershell')).code).toBe(2);
    // The bash completion completes commands and a command's flags.
    const script = join(dir(), 'coffer.bash');
    const words = (line: string) =>
      spawnSync('bash', ['-c', `source ${script}; COMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _coffer; echo "\${COMPREPLY[@]}"`], { encoding: 'utf8' }).stdout.trim();
    expect(words('coffer lo')).toBe('login logout');
    expect(words('coffer put --ov')).toBe('--overwrite');
  });
});
