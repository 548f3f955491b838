/** Entry point of the `coffer-admin` command (server/src/admin-cli/main.ts does the work). */
import { main } from '../src/admin-cli/main.js';

// `npm run coffer-admin -- …` starts in the package root; local paths mean the caller's directory.
if (process.env.npm_lifecycle_event === 'coffer-admin' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

const code = await main(process.argv.slice(2));
// A command is done when main returns: whatever a library left open (a socket's keep-alive) must
// not keep it waiting. stdout and stderr are written synchronously on files, pipes and terminals here.
process.exit(code);
