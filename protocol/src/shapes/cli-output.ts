/**
 * What `coffer … --json` prints: one JSON document on stdout per command, for scripts. Not on
 * the HTTP wire, but a contract all the same (scripts parse it), so it is defined here, built
 * from the wire shapes it shows; no `.register(z.globalRegistry, { id })`, so the OpenAPI document does not list them.
 */
import { z } from 'zod';
import { Device, Me } from './account.js';
import { FileView } from './files.js';

/** How the CLI trusts its server: system CAs, a CA file, a pinned certificate, or plain http. */
export const CliTrust = z.object({
  kind: z.enum(['system', 'ca', 'pinned', 'insecure-http']),
  fingerprint: z.string().optional(),
});
export type CliTrust = z.infer<typeof CliTrust>;

export const CliVersion = z.object({ version: z.string(), node: z.string() });

export const CliLogin = z.object({ url: z.string(), username: z.string(), deviceId: z.string().optional(), deviceName: z.string(), trust: CliTrust, configPath: z.string() });

export const CliStatus = z.object({ server: z.string(), trust: CliTrust, me: Me, device: Device.nullable() });

export const CliList = z.object({ entries: z.array(FileView) });

/** mkdir, mv, restore: the entries as they are now. */
export const CliEntries = z.object({ entries: z.array(FileView) });

export const CliTrashed = z.object({ trashed: z.array(z.string()) });

/** One file moved by put or get (`-r`: one per file). */
export const CliTransferItem = z.object({
  local: z.string(),
  remote: z.string(),
  rev: z.number().int(),
  size: z.number().int(),
  /** get: the local file already matched. */
  upToDate: z.boolean().optional(),
  blocksSent: z.number().int().optional(),
  bytesSent: z.number().int().optional(),
});
/** One file (or folder) `put -r` could not upload, the others going on: the server's error code (or the CLI's own: `conflict`, `changed`, `local`) and the sentence printed for it. */
export const CliTransferFailure = z.object({
  local: z.string(),
  remote: z.string(),
  code: z.string(),
  message: z.string(),
});
export const CliTransfer = z.object({ files: z.array(CliTransferItem), failed: z.array(CliTransferFailure).optional() });
export type CliTransfer = z.infer<typeof CliTransfer>;

export const CliLinkCreated = z.object({ url: z.string() });

/** `coffer trust`: the certificates pinned by trust on first use, by server origin. */
export const CliPins = z.object({ pins: z.array(z.object({ url: z.string(), fingerprint: z.string() })) });
export type CliPins = z.infer<typeof CliPins>;

/** `coffer sync --status`: what the running agent last reported about itself. */
export const CliSyncStatus = z.object({
  running: z.boolean(),
  pid: z.number().int().nullable(),
  root: z.string().nullable(),
  remote: z.string().nullable(),
  state: z.string().nullable(),
  queue: z.number().int().nullable(),
  lastSyncAt: z.string().nullable(),
  lastError: z.string().nullable(),
  updatedAt: z.string().nullable(),
});
export type CliSyncStatus = z.infer<typeof CliSyncStatus>;
export const CliSyncStatusList = z.object({ agents: z.array(CliSyncStatus) });

/** `coffer sync --install`: the file written and how to start it now. */
export const CliSyncInstall = z.object({ file: z.string(), kind: z.enum(['systemd', 'launchd']), start: z.string() });
