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

export function printJson<S extends z.ZodType>(schema: S, value: z.input<S>): void {
  process.stdout.write(JSON.stringify(schema.parse(value), null, 2) + '\n');
}
