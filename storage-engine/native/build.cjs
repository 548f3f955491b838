'use strict';
// Builds the addon on install. A failed build is a warning, not a failed install: the engine has
// JavaScript paths for everything the addon does (slower), and says which one it uses.
const { spawnSync } = require('node:child_process');
const r = spawnSync('node-gyp', ['rebuild'], { cwd: __dirname, stdio: 'inherit', shell: process.platform === 'win32' });
if (r.status !== 0) {
  console.warn('@coffer/native: the addon did not build; the storage engine falls back to its JavaScript paths (slower).');
}
