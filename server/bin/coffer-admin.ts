/** Entry point of the `coffer-admin` command (server/src/admin-cli/main.ts does the work). */
import { main } from '../src/admin-cli/main.js';

// `npm run coffer-admin -- …` starts in the package root; local paths mean the caller's directory.
if (process.env.npm_lifecycle_event === 'coffer-admin' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

process.exitCode = await main(process.argv.slice(2));
