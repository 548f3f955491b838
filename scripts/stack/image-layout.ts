/**
 * The image's file system without Docker: the Dockerfile's last stage replayed into a directory
 * (each `COPY` of the work tree copied; `--from=deps` node_modules linked, as it would be npm
 * ci's output; `--from=build` outputs copied from this tree's build). The stack's instances run
 * from there, so a file the server needs at run time that the image lacks fails the stack.
 */
import { cp, mkdir, readFile, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface ImageLayout {
  dir: string;
  /** What was put there, `dst ← src`, for the printed topology. */
  copies: string[];
  workdir: string;
  user: string | undefined;
  entrypoint: string[];
  cmd: string[];
  healthcheck: string[];
}

function lastStage(dockerfile: string): string[] {
  const lines = dockerfile.replace(/\\\n/g, ' ').split('\n');
  const from = lines.map((l, i) => (/^FROM\s/i.test(l) ? i : -1)).filter((i) => i >= 0).at(-1);
  if (from === undefined) throw new Error('Dockerfile: no FROM');
  return lines.slice(from);
}

const exec = (line: string, word: string): string[] | undefined => {
  const m = new RegExp(`^${word}\\s+(?:--\\S+\\s+)*(?:CMD\\s+)?(\\[.*\\])\\s*$`).exec(line);
  return m ? (JSON.parse(m[1]!) as string[]) : undefined;
};

export async function assembleImage(root: string, into: string): Promise<ImageLayout> {
  const stage = lastStage(await readFile(join(root, 'Dockerfile'), 'utf8'));
  let workdir = '/';
  let user: string | undefined;
  let entrypoint: string[] = [];
  let cmd: string[] = [];
  let healthcheck: string[] = [];
  const copies: string[] = [];
  await mkdir(into, { recursive: true });
  for (const raw of stage) {
    const line = raw.trim();
    if (/^WORKDIR\s/.test(line)) workdir = line.split(/\s+/)[1]!;
    else if (/^USER\s/.test(line)) user = line.split(/\s+/)[1];
    else if (/^ENTRYPOINT\s/.test(line)) entrypoint = exec(line, 'ENTRYPOINT') ?? [];
    else if (/^CMD\s/.test(line)) cmd = exec(line, 'CMD') ?? [];
    else if (/^HEALTHCHECK\s/.test(line)) healthcheck = exec(line, 'HEALTHCHECK') ?? [];
    else if (/^COPY\s/.test(line)) {
      const words = line.split(/\s+/).slice(1);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const [src, dst] = words.filter((w) => !w.startsWith('--'));
      if (!src || !dst || !workdir.startsWith('/app')) throw new Error(`Dockerfile: cannot replay "${line}"`);
      // Stages build in /app from this same tree: their outputs are this tree's (built beforehand).
      const source = join(root, from ? src.replace(/^\/app\/?/, '') : src);
      const target = join(into, dst.startsWith('/') ? dst.replace(/^\/app\/?/, '') : join(workdir.replace(/^\/app\/?/, ''), dst));
      await mkdir(dirname(target), { recursive: true });
      if (from && src.endsWith('node_modules')) await symlink(source, target.replace(/\/$/, ''), 'dir');
      else await cp(source, dst.endsWith('/') && !src.endsWith('/') ? join(target, src.split('/').at(-1)!) : target, { recursive: true, dereference: false });
      copies.push(`${dst} ← ${from ? `${from}:` : ''}${src}`);
    }
  }
  return { dir: into, copies, workdir, user, entrypoint, cmd, healthcheck };
}
