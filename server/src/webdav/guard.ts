/**
 * Before anything changes: the `If` header must hold (412 otherwise), and every lock covering
 * what the method changes must have one of its tokens submitted (423 otherwise). Reads are
 * never locked out.
 */
import { HttpError, PreconditionFailedError } from '../http-errors.js';
import { WEBDAV_PREFIX } from '@coffer/protocol';
import { resolveResource, resourceEtag, type DavContext } from './context.js';
import { evaluateIf, parseIf, submittedTokens, type IfList, type ResourceState } from './if-header.js';
import { deleteLock, locksCovering, locksNear, type LockRow } from './lock-store.js';
import { davPathOf, lockKeyOf } from './paths.js';

export interface Target {
  segments: string[];
  /** Locks on anything below count too (DELETE or MOVE of a folder, a depth-infinity LOCK). */
  below?: boolean;
  /** Nothing is at the path: a lock on exactly it outlived its resource (deleted or moved through the
   *  REST API, which knows no locks) and is dropped instead of enforced. */
  missing?: boolean;
}

export function lockedError(path: string): HttpError {
  return new HttpError(423, 'locked', `${path} is locked: submit its lock token in an If header`);
}

/** The If header's lists, checked to hold; the tokens it submits. */
export async function checkIf(ctx: DavContext): Promise<{ lists?: IfList[]; tokens: Set<string> }> {
  const lists = parseIf(ctx.c.req.header('if'));
  if (lists && !(await evaluateIf(lists, (resource) => stateOf(ctx, resource)))) {
    throw new PreconditionFailedError('the If header does not hold');
  }
  return { lists, tokens: submittedTokens(lists) };
}

/** 412 / 423 as above; the If header is evaluated once however many targets there are. */
export async function guardWrite(ctx: DavContext, targets: Target[]): Promise<Set<string>> {
  const { tokens } = await checkIf(ctx);
  for (const t of targets) {
    const key = lockKeyOf(t.segments);
    let locks = t.below ? await locksNear(ctx.deps.db, ctx.user.namespaceId, key) : await locksCovering(ctx.deps.db, ctx.user.namespaceId, key);
    if (t.missing && locks.some((l) => l.pathKey === key)) {
      for (const l of locks.filter((x) => x.pathKey === key)) await deleteLock(ctx.deps.db, l.token);
      locks = locks.filter((l) => l.pathKey !== key);
    }
    if (!satisfied(locks, tokens)) throw lockedError(`/${t.segments.join('/')}`);
  }
  return tokens;
}

/** Each locked path needs one of its locks' tokens (shared locks: any of them). */
function satisfied(locks: LockRow[], tokens: Set<string>): boolean {
  const byPath = new Map<string, LockRow[]>();
  for (const l of locks) byPath.set(l.pathKey, [...(byPath.get(l.pathKey) ?? []), l]);
  if (locks.some((l) => tokens.has(l.token)) && [...byPath.values()].every((g) => g.some((l) => !l.exclusive))) {
    // Shared locks at several levels: one submitted token of the caller's is enough.
    return true;
  }
  return [...byPath.values()].every((group) => group.some((l) => tokens.has(l.token)));
}

async function stateOf(ctx: DavContext, resource: string | undefined): Promise<ResourceState> {
  let segments = ctx.path.segments;
  if (resource !== undefined) {
    let pathname: string;
    try {
      pathname = new URL(resource, ctx.url).pathname;
    } catch {
      return { tokens: new Set() };
    }
    if (pathname !== WEBDAV_PREFIX && !pathname.startsWith(`${WEBDAV_PREFIX}/`)) return { tokens: new Set() };
    segments = davPathOf(pathname, ctx.user).segments;
  }
  const r = await resolveResource(ctx.deps.db, ctx.user, segments);
  const locks = await locksCovering(ctx.deps.db, ctx.user.namespaceId, r.lockKey);
  return { tokens: new Set(locks.map((l) => l.token)), etag: resourceEtag(r.row) };
}
