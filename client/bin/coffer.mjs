#!/usr/bin/env node
// The installed `coffer` command: the bundled JavaScript (client/dist, `npm run build:cli`, built
// at install by the root package's `prepare`) when present; else the TypeScript entry point
// through tsx, loaded from Coffer's own node_modules (not from the current directory).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/coffer.js', import.meta.url);
if (existsSync(bundle) && process.env.COFFER_FROM_SOURCE !== '1') {
  await import(bundle.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./coffer.ts');
}
