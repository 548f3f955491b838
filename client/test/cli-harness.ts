/** Test helpers: run the real `coffer` CLI as a child process, and a stranger's HTTPS server. */
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { startServerProcess, type ServerProcess } from '@coffer/server/testing/server-process';
import { selfSigned } from './tls-fixtures.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const TSX = import.meta.resolve('tsx');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `coffer ARGS` from the TypeScript source, or the given installed `bin` instead. */
export function runCli(args: string[], opts: { configDir: string; input?: string; cwd?: string; env?: NodeJS.ProcessEnv; bin?: string }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, COFFER_CONFIG_DIR: opts.configDir, ...opts.env };
    delete env.COFFER_DEBUG;
    // tsx by absolute URL: the CLI runs in other directories, where `--import tsx` would not resolve.
    const child = spawn(opts.bin ?? process.execPath, opts.bin ? args : ['--import', TSX, `${ROOT}client/bin/coffer.ts`, ...args], {
      cwd: opts.cwd ?? ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

export function fingerprintOfPem(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

/** An HTTPS server with a certificate of its own (an impostor), counting the requests it got. */
export async function impostor(): Promise<{ url: string; requests: () => number; close(): Promise<void> }> {
  const own = selfSigned();
  let requests = 0;
  const server: Server = createServer(own, (_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"entries":[]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** The test user's name (the fixture makes the user but only hands out its token). */
export async function usernameOf(srv: { call(m: string, p: string): Promise<{ json<T>(): T }> }): Promise<string> {
  return (await srv.call('GET', '/api/v1/me')).json<{ username: string }>().username;
}

export const PASSWORD = 'correct horse battery staple';

/** A test file's HTTPS server process and a `coffer` signed in to it (its login in `dir()/config`). */
export interface SignedInCli {
  srv: ServerProcess;
  configDir: string;
}

/** Starts the server and signs in before the file's tests (login pinned by fingerprint); stops it after. */
export function useSignedInCli(dir: () => string, timeoutMs = 240_000): SignedInCli {
  const env = {} as SignedInCli;
  beforeAll(async () => {
    env.srv = await startServerProcess({ tls: true });
    env.configDir = `${dir()}/config`;
    const r = await runCli(['login', env.srv.url, '--username', await usernameOf(env.srv), '--password-stdin', '--fingerprint', fingerprintOfPem(env.srv.ca!)], { configDir: env.configDir, input: PASSWORD });
    if (r.code !== 0) throw new Error(`login failed: ${r.stderr}`);
  }, timeoutMs);
  afterAll(async () => {
    await env.srv?.cleanup();
  });
  return env;
}
