/**
 * `coffer sync --install DIR [REMOTE]`: start the agent at login — a systemd user unit on Linux
 * ($XDG_CONFIG_HOME/systemd/user), a launchd agent on macOS (~/Library/LaunchAgents). The file
 * runs this very `coffer` (bin/coffer.mjs of this installation) with the node that runs now.
 */
import { realpathSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../transfer/atomic-write.js';

export interface Installed {
  file: string;
  kind: 'systemd' | 'launchd';
  start: string;
}

/** bin/coffer.mjs beside whatever node runs: bin/coffer.ts (tsx), bin/coffer.mjs, or dist/coffer.js (the bundle). */
export function launcherPath(): string {
  return resolve(dirname(realpathSync(process.argv[1]!)), '..', 'bin', 'coffer.mjs');
}

/** A name for the unit from the folder: `coffer-sync-Documents`. */
function unitName(root: string): string {
  const base = root.split('/').filter(Boolean).at(-1) ?? 'root';
  return `coffer-sync-${base.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

const quoteSystemd = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%')}"`;
const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function systemdUnit(args: string[], env: Record<string, string>): string {
  return [
    '[Unit]',
    'Description=Coffer sync agent',
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    `ExecStart=${[process.execPath, launcherPath(), ...args].map(quoteSystemd).join(' ')}`,
    ...Object.entries(env).map(([k, v]) => `Environment=${quoteSystemd(`${k}=${v}`)}`),
    'Restart=on-failure',
    'RestartSec=10',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

export function launchdPlist(label: string, args: string[], env: Record<string, string>, logFile: string): string {
  const strings = (xs: string[]) => xs.map((x) => `    <string>${xml(x)}</string>`).join('\n');
  const envXml = Object.entries(env)
    .map(([k, v]) => `    <key>${xml(k)}</key><string>${xml(v)}</string>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>${xml(label)}</string>
  <key>ProgramArguments</key>
  <array>
${strings([process.execPath, launcherPath(), ...args])}
  </array>
  <key>EnvironmentVariables</key>
  <dict>
${envXml}
  </dict>
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>
  <key>StandardErrorPath</key><string>${xml(logFile)}</string>
</dict>
</plist>
`;
}

export async function installAgent(root: string, remote: string, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): Promise<Installed> {
  const args = ['sync', root, remote, '--quiet'];
  // The agent must find the same login: pass the config directory on when it is not the default.
  const keep: Record<string, string> = {};
  for (const k of ['COFFER_CONFIG_DIR', 'XDG_CONFIG_HOME'] as const) if (env[k]) keep[k] = env[k]!;
  const name = unitName(root);
  const home = env.HOME ?? homedir();
  if (platform === 'darwin') {
    const label = `org.coffer.${name}`;
    const file = join(home, 'Library', 'LaunchAgents', `${label}.plist`);
    await mkdir(dirname(file), { recursive: true });
    await writeFileAtomic(file, launchdPlist(label, args, keep, join(home, 'Library', 'Logs', `${name}.log`)), { mode: 0o644 });
    return { file, kind: 'launchd', start: `launchctl load -w ${file}` };
  }
  if (platform !== 'linux') throw new Error(`--install knows systemd (Linux) and launchd (macOS), not ${platform}`);
  const file = join(env.XDG_CONFIG_HOME || join(home, '.config'), 'systemd', 'user', `${name}.service`);
  await mkdir(dirname(file), { recursive: true });
  await writeFileAtomic(file, systemdUnit(args, keep), { mode: 0o644 });
  return { file, kind: 'systemd', start: `systemctl --user daemon-reload && systemctl --user enable --now ${name}.service` };
}
