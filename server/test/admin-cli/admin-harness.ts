/**
 * `coffer-admin` as the operator runs it: a child process (the installed launcher), given the
 * server's environment (data directory, DATABASE_URL), its exit code and both streams captured.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { ServerProcess } from '../fixtures/server-process.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'server/bin/coffer-admin.mjs');

export interface AdminRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function adminEnv(srv: Pick<ServerProcess, 'dataDir' | 'databaseUrl'>, extra: Record<string, string> = {}): Record<string, string> {
  return { COFFER_DATA_DIR: srv.dataDir, ...(srv.databaseUrl ? { DATABASE_URL: srv.databaseUrl } : {}), ...extra };
}

export function runAdmin(args: string[], env: Record<string, string>, stdin?: string): Promise<AdminRun> {
  const full: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!env.DATABASE_URL) delete full.DATABASE_URL;
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: full, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(stdin ?? '');
  const started = Date.now();
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (process.env.COFFER_TEST_ADMIN_TIMES) process.stderr.write(`coffer-admin ${args[0]}: ${Date.now() - started} ms, exit ${code}\n`);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Like runAdmin, failing with both streams when the exit code is not 0. */
export async function admin(args: string[], env: Record<string, string>, stdin?: string): Promise<string> {
  const r = await runAdmin(args, env, stdin);
  if (r.code !== 0) throw new Error(`coffer-admin ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** SHA-256 of every regular file under `dir`, by its `/`-separated relative path. */
export async function treeHashes(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const visit = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await visit(p);
      else if (e.isFile()) out.set(relative(dir, p).split('\\').join('/'), createHash('sha256').update(await readFile(p)).digest('hex'));
    }
  };
  await visit(dir);
  return out;
}

/** A simple upload as the test user. */
export async function upload(srv: ServerProcess, path: string, body: Buffer, overwrite = false): Promise<void> {
  let r = await send(srv, path, body, overwrite);
  // 503 says "try again shortly" (a node backing off on this busy machine): a real client retries.
  for (let i = 0; i < 3 && r.status === 503; i++) {
    await new Promise((res) => setTimeout(res, 2000));
    r = await send(srv, path, body, overwrite);
  }
  expect(r.status, `${r.body.toString()}\n${srv.output().slice(-3000)}`).toBe(201);
}

export function send(srv: ServerProcess, path: string, body: Buffer, overwrite: boolean) {
  return srv.call('POST', `/api/v1/upload?uploadType=media&path=${encodeURIComponent(path)}${overwrite ? '&overwrite=true' : ''}`, {
    headers: { ...srv.auth, 'content-type': 'application/octet-stream' },
    body,
  });
}

export async function download(srv: ServerProcess, path: string, rev?: number): Promise<Buffer> {
  const r = await srv.call('GET', `/api/v1/download?path=${encodeURIComponent(path)}${rev ? `&rev=${rev}` : ''}`, { headers: srv.auth });
  expect(r.status, r.body.toString()).toBe(200);
  return r.body;
}
