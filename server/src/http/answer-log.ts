/**
 * Tests only: with COFFER_ANSWER_LOG set (vitest's global setup sets it, server/test/answer-coverage.ts),
 * every answer the answer check passed is appended to that file as `METHOD /path status` (the
 * request's method: HEAD reaches the GET route), so the
 * run can report which operations the HTTP test suite exercised. Read from the process's
 * environment, not the config: the fixtures build their config from explicit settings, and the
 * server processes they spawn inherit the environment.
 */
import { appendFileSync } from 'node:fs';

const file = process.env.COFFER_ANSWER_LOG;

export function logCheckedAnswer(method: string, path: string, status: number): void {
  if (!file) return;
  try {
    appendFileSync(file, `${method} ${path} ${status}\n`);
  } catch {
    // a report, not a check: never fail a request over it
  }
}
