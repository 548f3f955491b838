#!/usr/bin/env node
// The installed `coffer` command: loads tsx from Coffer's own node_modules (not from the
// current directory, as `node --import tsx` would), then runs the TypeScript entry point.
import { register } from 'tsx/esm/api';

register();
await import('./coffer.ts');
