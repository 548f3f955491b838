/**
 * The `coffer` command line: `--version`, `help`, `COMMAND --help`, the global `--json`, dispatch
 * to a command, and each failure as a line on stderr with its exit code (failure.ts). Commands
 * are loaded when run, so `--version` and help start without loading the client (ms count:
 * issue 22 asks under 150 ms for a command that needs no network).
 */
import pkg from '../../package.json' with { type: 'json' };
import { EXIT } from './exit-codes.js';
import { commandHelp, generalHelp } from './help.js';
import { jsonOutput, setJsonOutput } from './output.js';
import { serverInUse } from './server-in-use.js';

type Command = (args: string[]) => Promise<void>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  login: async () => (await import('./commands/login.js')).login,
  logout: async () => (await import('./commands/login.js')).logout,
  status: async () => (await import('./commands/status.js')).status,
  ls: async () => (await import('./commands/files.js')).ls,
  put: async () => (await import('./commands/transfer.js')).put,
  get: async () => (await import('./commands/transfer.js')).get,
  mkdir: async () => (await import('./commands/files.js')).mkdir,
  mv: async () => (await import('./commands/files.js')).mv,
  rm: async () => (await import('./commands/files.js')).rm,
  revs: async () => (await import('./commands/revisions.js')).revs,
  restore: async () => (await import('./commands/revisions.js')).restore,
  sync: async () => (await import('./commands/sync.js')).sync,
  share: async () => (await import('./commands/shares.js')).share,
  shares: async () => (await import('./commands/shares.js')).shares,
  link: async () => (await import('./commands/links.js')).link,
  trust: async () => (await import('./commands/trust.js')).trust,
  completion: async () => (await import('./commands/completion.js')).completion,
};

export const VERSION: string = pkg.version;

/** How many leading arguments are flags' territory (after `--`, a path may be called `--help`). */
function flagsEnd(args: string[]): number {
  const end = args.indexOf('--');
  return end === -1 ? args.length : end;
}

export async function main(argv: string[]): Promise<number> {
  const end = flagsEnd(argv);
  const args = argv.filter((a, i) => !(i < end && a === '--json'));
  setJsonOutput(args.length < argv.length);
  const [name, ...rest] = args;
  if (name === '--version' || name === '-V' || name === 'version') {
    // The CliVersion shape of @coffer/protocol (not loaded here: start-up time).
    process.stdout.write(jsonOutput() ? JSON.stringify({ version: VERSION, node: process.version }, null, 2) + '\n' : `coffer ${VERSION} (node ${process.version})\n`);
    return EXIT.ok;
  }
  if (name === undefined) {
    process.stderr.write(generalHelp() + '\n');
    return EXIT.usage;
  }
  if (name === 'help' || name === '--help' || name === '-h') {
    const topic = rest[0] === '--help' || rest[0] === '-h' ? 'help' : rest[0];
    const text = topic === undefined ? generalHelp() : commandHelp(topic);
    if (text === undefined) return unknown(topic!);
    process.stdout.write(text + '\n');
    return EXIT.ok;
  }
  const load = COMMANDS[name];
  if (!load) return unknown(name);
  if (rest.slice(0, flagsEnd(rest)).some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(commandHelp(name)! + '\n');
    return EXIT.ok;
  }
  try {
    await (await load())(rest);
    return EXIT.ok;
  } catch (err) {
    const { describeFailure } = await import('./failure.js');
    const failure = await describeFailure(err, serverInUse());
    process.stderr.write(`coffer ${name}: ${failure.message}\n`);
    const { debugging } = await import('../env.js');
    if (debugging() && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return failure.code;
  }
}

function unknown(name: string): number {
  process.stderr.write(`coffer: unknown command "${name}" (coffer help lists them)\n`);
  return EXIT.usage;
}
