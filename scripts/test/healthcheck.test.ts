/**
 * The image's HEALTHCHECK (scripts/healthcheck.mjs) follows the protocol the server is configured
 * for: with COFFER_PLAIN_HTTP=1 it asks /readyz over HTTP, otherwise over HTTPS (self-signed
 * certificate), and it fails — exit 1 — when it speaks the other one or nothing answers.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startServerProcess } from '@coffer/server/testing/server-process';

const SCRIPT = fileURLToPath(new URL('../healthcheck.mjs', import.meta.url));

function healthcheck(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT], { env: { PATH: process.env.PATH ?? '', ...env } }, (err, _out, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr }),
    );
  });
}

describe('scripts/healthcheck.mjs', () => {
  for (const tls of [false, true]) {
    it(`${tls ? 'HTTPS' : 'plain HTTP'}: passes over its protocol only`, async () => {
      const proc = await startServerProcess({ backend: 'postgres', tls });
      try {
        const port = String(new URL(proc.url).port);
        const right = await healthcheck({ COFFER_PORT: port, COFFER_PLAIN_HTTP: tls ? '0' : '1' });
        expect(right, right.stderr).toEqual({ code: 0, stderr: '' });
        const wrong = await healthcheck({ COFFER_PORT: port, COFFER_PLAIN_HTTP: tls ? '1' : '0' });
        expect(wrong.code).toBe(1);
        await proc.kill('SIGKILL');
        const gone = await healthcheck({ COFFER_PORT: port, COFFER_PLAIN_HTTP: tls ? '0' : '1' });
        expect(gone.code).toBe(1);
        expect(gone.stderr).toMatch(/readyz: .*ECONNREFUSED/);
      } finally {
        await proc.cleanup();
      }
    });
  }
});
