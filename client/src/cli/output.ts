/**
 * Where a command's results go: lines for people on stdout, notes on stderr, or — with `--json`,
 * taken out of the arguments by main — one JSON document on stdout, checked against its
 * `@coffer/protocol` shape before it is printed.
 */
import type { z } from 'zod';

let jsonMode = false;

export function setJsonOutput(on: boolean): void {
  jsonMode = on;
}

export function jsonOutput(): boolean {
  return jsonMode;
}

/** A human line, left out in JSON mode (the JSON document is the output). */
export function print(line: string): void {
  if (!jsonMode) process.stdout.write(line + '\n');
}

export function note(line: string): void {
  process.stderr.write(line + '\n');
}

/**
 * `note` for a stream of many lines (the sync agent's log, a line per file): the lines of one turn
 * of the event loop written together. stderr to a pipe or a file is written synchronously, a
 * system call a line; a tree of 2,400 files synced spent ~0.3 s of the agent's main thread in
 * them. What is gathered is written out at exit too (process.exit included).
 */
export function batchedNotes(): (line: string) => void {
  let lines: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (lines.length === 0) return;
    const text = lines.join('');
    lines = [];
    process.stderr.write(text);
  };
  process.on('exit', flush);
  return (line) => {
    lines.push(line + '\n');
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
}

export function printJson<S extends z.ZodType>(schema: S, value: z.input<S>): void {
  process.stdout.write(JSON.stringify(schema.parse(value), null, 2) + '\n');
}
