#!/usr/bin/env -S node --import tsx
/** Entry point of the `coffer` command (client/src/cli/main.ts does the work). */
import { main } from '../src/cli/main.js';
import { removeTempFilesSync } from '../src/transfer/temp-files.js';

// `npm run coffer -- …` starts in the package root; local paths mean the caller's directory.
if (process.env.npm_lifecycle_event === 'coffer' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

// Ctrl-C: leave no half-written temp files behind (the destination itself is never touched).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    removeTempFilesSync();
    process.stderr.write('\ncoffer: interrupted\n');
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

process.exitCode = await main(process.argv.slice(2));
