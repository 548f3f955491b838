/**
 * View-only shares: a viewer's agent never uploads, creates, moves or deletes anything in them.
 * A local edit there is kept as a local conflicted copy (never uploaded; the server's version
 * comes back in its place), a local delete brings the file back, and both are reported.
 */
import type { SyncContext } from './context.js';

/** The local conflicted copies this makes (and the agent's own): left alone, never uploaded. */
const LOCAL_COPY = / \(conflicted copy[^)]*\)/;

/** Remote paths of the caller's view-only mounts, relative to the synced folder ('' = all of it). */
export async function readOnlyRels(ctx: Pick<SyncContext, 'api' | 'remoteRoot'>): Promise<string[]> {
  const roots = (await ctx.api.readOnlyRoots?.()) ?? [];
  const base = ctx.remoteRoot === '/' ? '' : ctx.remoteRoot;
  const out: string[] = [];
  for (const r of roots) {
    if (r === ctx.remoteRoot || ctx.remoteRoot.startsWith(r + '/')) out.push('');
    else if (r.startsWith(base + '/')) out.push(r.slice(base.length + 1));
  }
  return out;
}

export function isReadOnly(ctx: Pick<SyncContext, 'readOnly'>, rel: string): boolean {
  return ctx.readOnly.some((r) => r === '' || rel === r || rel.startsWith(r + '/'));
}

export function isLocalCopy(rel: string): boolean {
  return LOCAL_COPY.test(rel.slice(rel.lastIndexOf('/') + 1));
}

export const READ_ONLY_LABEL = 'conflicted copy, view-only share';

const reported = new WeakMap<object, Set<string>>();

/** True the first time a path is reported for this agent (a kept copy is mentioned once, not every pass). */
export function firstReport(ctx: object, rel: string): boolean {
  let seen = reported.get(ctx);
  if (!seen) reported.set(ctx, (seen = new Set()));
  if (seen.has(rel)) return false;
  seen.add(rel);
  return true;
}
