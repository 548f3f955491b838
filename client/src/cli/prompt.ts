/** Questions on the terminal (TOFU confirmation, username, password) and reading stdin. */
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';

export function interactive(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true;
}

export async function ask(question: string, opts: { hidden?: boolean } = {}): Promise<string> {
  let muted = false;
  // Echo goes to stderr (stdout stays for data); a hidden answer is simply not echoed.
  const output = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (!muted) process.stderr.write(chunk);
      cb();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  // The terminal is raw while asking, so Ctrl-C reaches readline, not the process: pass it on.
  rl.on('SIGINT', () => {
    rl.close();
    process.kill(process.pid, 'SIGINT');
  });
  try {
    const answer = rl.question(question);
    muted = opts.hidden === true;
    const text = await answer;
    if (opts.hidden) process.stderr.write('\n');
    return text;
  } finally {
    rl.close();
  }
}

/** All of stdin as text, without the final newline (for --password-stdin). */
export async function readStdin(): Promise<string> {
  const parts: Buffer[] = [];
  for await (const p of process.stdin) parts.push(p as Buffer);
  return Buffer.concat(parts).toString('utf8').replace(/\r?\n$/, '');
}
