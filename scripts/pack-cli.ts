/**
 * `npm run pack:cli [-- OUTDIR]`: the `coffer` command as a package of its own, for machines that
 * only sync or script against a server: OUTDIR (default client/dist/pkg)/coffer-cli-VERSION.tgz,
 * installed anywhere with `npm install -g ./coffer-cli-VERSION.tgz`. It holds a fresh bundle
 * (build-cli.ts) and a bin, and depends on nothing: no registry, no C toolchain (where the
 * engine's addon is absent its JavaScript paths serve).
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli } from './build-cli.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const OUT = resolve(process.argv.slice(2).find((a) => a !== '--') ?? join(ROOT, 'client', 'dist', 'pkg'));
const STAGE = join(OUT, 'stage');

const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
await rm(STAGE, { recursive: true, force: true });
await buildCli(join(STAGE, 'dist'));
await mkdir(join(STAGE, 'bin'), { recursive: true });
// V8's code cache on disk before the bundle loads (client/bin/coffer.mjs says why); hence the dynamic import.
// The restart of the commands that move contents (client/bin/relaunch.mjs says why): the same module beside it.
await copyFile(join(ROOT, 'client', 'bin', 'relaunch.mjs'), join(STAGE, 'bin', 'relaunch.mjs'));
await writeFile(
  join(STAGE, 'bin', 'coffer.mjs'),
  "#!/usr/bin/env node\nimport module from 'node:module';\nimport { relaunchForTransfers } from './relaunch.mjs';\nrelaunchForTransfers();\nmodule.enableCompileCache?.();\nawait import('../dist/coffer.js');\n",
  { mode: 0o755 },
);
await writeFile(
  join(STAGE, 'package.json'),
  JSON.stringify(
    {
      name: 'coffer-cli',
      version,
      description: "Coffer's command line and sync agent (coffer login, ls, put, get, sync, share, link, …)",
      type: 'module',
      bin: { coffer: 'bin/coffer.mjs' },
      files: ['bin', 'dist'],
      engines: { node: '>=20' },
    },
    null,
    2,
  ) + '\n',
);
await writeFile(join(STAGE, 'README.md'), '# coffer-cli\n\nThe `coffer` command of Coffer, bundled: `coffer help` lists the commands, `coffer COMMAND --help` explains one.\n');
const tgz = execFileSync('npm', ['pack', '--silent', '--pack-destination', OUT], { cwd: STAGE, encoding: 'utf8' }).trim().split('\n').pop()!;
await rm(STAGE, { recursive: true, force: true });
console.log(`packed ${join(OUT, tgz)}`);
