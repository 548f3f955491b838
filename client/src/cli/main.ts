/**
 * The `coffer` command line: `--version`, `help`, `COMMAND --help`, the global `--json`, dispatch
 * to a command, and each failure as a line on stderr with its exit code (failure.ts).
 */
import { CliVersion } from '@coffer/protocol';
import pkg from '../../package.json' with { type: 'json' };
import { debugging } from '../env.js';
import { get, put } from './commands/transfer.js';
import { login, logout } from './commands/login.js';
import { ls, mkdir, mv, rm } from './commands/files.js';
import { link } from './commands/links.js';
import { restore, revs } from './commands/revisions.js';
import { share, shares } from './commands/shares.js';
import { status } from './commands/status.js';
import { sync } from './commands/sync.js';
import { trust } from './commands/trust.js';
import { completion } from './commands/completion.js';
import { serverInUse } from './context.js';
import { describeFailure, EXIT } from './failure.js';
import { commandHelp, generalHelp } from './help.js';
import { jsonOutput, printJson, setJsonOutput } from './output.js';

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = { login, logout, ls, put, get, mkdir, mv, rm, revs, restore, status, sync, share, shares, link, trust, completion };

export const VERSION: string = pkg.version;

/** Flags before `--` (after it, a path may be called `--help`). */
function flagsOf(args: string[]): string[] {
  const end = args.indexOf('--');
  return end === -1 ? args : args.slice(0, end);
}

export async function main(argv: string[]): Promise<number> {
  const end = flagsOf(argv).length;
  const args = argv.filter((a, i) => !(i < end && a === '--json'));
  setJsonOutput(args.length < argv.length);
  const [name, ...rest] = args;
  if (name === '--version' || name === '-V' || name === 'version') {
    if (jsonOutput()) printJson(CliVersion, { version: VERSION, node: process.version });
    else process.stdout.write(`coffer ${VERSION} (node ${process.version})\n`);
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
  const command = COMMANDS[name];
  if (!command) return unknown(name);
  if (flagsOf(rest).some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(commandHelp(name)! + '\n');
    return EXIT.ok;
  }
  try {
    await command(rest);
    return EXIT.ok;
  } catch (err) {
    const failure = await describeFailure(err, serverInUse());
    process.stderr.write(`coffer ${name}: ${failure.message}\n`);
    if (debugging() && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return failure.code;
  }
}

function unknown(name: string): number {
  process.stderr.write(`coffer: unknown command "${name}" (coffer help lists them)\n`);
  return EXIT.usage;
}
