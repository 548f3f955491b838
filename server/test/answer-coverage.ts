/**
 * Vitest global setup: collects which operations the HTTP test suite got an answer from (each one
 * checked against its schema: the fixtures set COFFER_VALIDATE_ANSWERS=1) and, at the end, prints
 * the operations that never answered anything but an error. A report, not a check: a run of a
 * few files exercises a few operations.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_OPERATIONS } from '@coffer/protocol';

export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-answers-'));
  const file = join(dir, 'answers.log');
  process.env.COFFER_ANSWER_LOG = file;
  return () => {
    let lines: string[] = [];
    try {
      lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    } catch {
      // no HTTP test ran
    }
    rmSync(dir, { recursive: true, force: true });
    if (lines.length === 0) return;
    // `METHOD /path status`, by operation.
    const answered = new Map<string, Set<number>>();
    for (const line of lines) {
      const [method, path, status] = line.split(' ');
      const key = `${method} ${path}`;
      if (!answered.has(key)) answered.set(key, new Set());
      answered.get(key)!.add(Number(status));
    }
    const succeeded = (key: string) => [...(answered.get(key) ?? [])].some((s) => s < 400);
    const missing = ALL_OPERATIONS.filter((op) => !succeeded(`${op.method} ${op.path}`)).map((op) => `${op.id} (${op.method} ${op.path})`);
    const pairs = [...answered.values()].reduce((n, s) => n + s.size, 0);
    const few = missing.length <= 15 ? `: ${missing.join(', ')}` : '';
    console.log(
      `answers checked against @coffer/protocol: ${lines.length} (${pairs} operation/status pairs); ` +
        `${ALL_OPERATIONS.length - missing.length} of ${ALL_OPERATIONS.length} operations answered a success` +
        (missing.length ? `; ${missing.length} never did${few}` : ''),
    );
  };
}
