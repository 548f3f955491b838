#!/usr/bin/env node
// The installed `coffer` command: the bundled JavaScript (client/dist, `npm run build:cli`, built
// at install by the root package's `prepare`) when present; else the TypeScript entry point
// through tsx, loaded from Coffer's own node_modules (not from the current directory).
import { existsSync } from 'node:fs';
import module from 'node:module';
import { relaunchForTransfers } from './relaunch.mjs';

relaunchForTransfers(); // first: a restart wastes nothing yet

// V8's code cache on disk (Node 22.1+, in the OS temp dir), before anything else loads: a later
// start reads the bundle's compiled code instead of compiling it again. A `coffer sync --once`
// over bench:tree's unchanged tree is mostly start-up: 0.547 -> 0.514 s wall, 0.634 -> 0.592 s of
// CPU (medians of 10, run pair by pair).
module.enableCompileCache?.();

const bundle = new URL('../dist/coffer.js', import.meta.url);
if (existsSync(bundle) && process.env.COFFER_FROM_SOURCE !== '1') {
  await import(bundle.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./coffer.ts');
}
