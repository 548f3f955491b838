/**
 * Where the CLI keeps its login: one JSON file in the user's config directory
 * ($COFFER_CONFIG_DIR, else $XDG_CONFIG_HOME/coffer, else ~/.config/coffer). It holds a bearer
 * token, so it is created with mode 0600 and an existing file readable by group or others is
 * fixed to 0600 (with a warning) before it is used, as ssh does with its keys.
 */
import { chmod, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { clientEnv } from '../env.js';
import { writeFileAtomic } from '../transfer/atomic-write.js';

export const Config = z.object({
  url: z.string().url(),
  /** Exactly one way to trust the server. */
  fingerprint: z.string().optional(),
  ca: z.string().optional(),
  insecureHttp: z.boolean().optional(),
  token: z.string().min(1),
  username: z.string(),
  deviceId: z.string().optional(),
  deviceName: z.string().optional(),
});
export type Config = z.infer<typeof Config>;

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return clientEnv(env).configDir;
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'config.json');
}

/** The saved login, or undefined when there is none. */
export async function loadConfig(warn: (msg: string) => void = () => undefined): Promise<Config | undefined> {
  const path = configPath();
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (!info) return undefined;
  if ((info.mode & 0o077) !== 0) {
    await chmod(path, 0o600);
    warn(`${path} was readable by other users (mode ${(info.mode & 0o777).toString(8)}); fixed to 600 — consider logging in again to get a new token`);
  }
  const parsed = Config.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path} is damaged (${parsed.error.issues[0]?.message}); run \`coffer login\` again`);
  return parsed.data;
}

/** Written atomically, the new file (a fresh one, never an old temp) created 0600 so the token is never exposed. */
export async function saveConfig(config: Config): Promise<string> {
  await mkdir(configDir(), { recursive: true, mode: 0o700 });
  const path = configPath();
  await writeFileAtomic(path, JSON.stringify(Config.parse(config), null, 2) + '\n', { mode: 0o600 });
  return path;
}

export async function removeConfig(): Promise<void> {
  await rm(configPath(), { force: true });
}
