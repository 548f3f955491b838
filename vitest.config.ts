import { SlowestFirst } from '@coffer/test-support/slowest-first';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/test/**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**'],
    // Reports which API operations the HTTP tests got a (schema-checked) answer from.
    globalSetup: ['server/test/answer-coverage.ts', 'web/test/global-setup.ts', 'admin-ui/test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // expect.poll's default (1 s) is shorter than a deliberately slow password check on a busy
    // two-core machine: a wrong link password was once still being checked when the poll gave up.
    expect: { poll: { timeout: 10_000 } },
    // Integration tests start their own S3 node processes; two cores, so keep files few at once.
    maxWorkers: 2,
    // The longest files first, also on a clean clone (no cache): the two workers end together.
    sequence: { sequencer: SlowestFirst },
    // In-process servers log to the test's stdout: errors only, unless asked for more. Server
    // processes (server-process.ts) log at info into the output they keep.
    env: { COFFER_LOG_LEVEL: process.env.COFFER_LOG_LEVEL ?? 'error' },
  },
});
