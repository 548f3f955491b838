#!/usr/bin/env node
// The installed `coffer-admin` command: loads tsx from Coffer's own node_modules, then runs the
// TypeScript entry point (as client/bin/coffer.mjs does for `coffer`).
import { register } from 'tsx/esm/api';

register();
await import('./coffer-admin.ts');
