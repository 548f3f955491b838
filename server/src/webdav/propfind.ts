/**
 * PROPFIND (RFC 4918 §9.1): Depth 0 or 1 (infinity is refused with `propfind-finite-depth`).
 * A folder's children come in one query, their dead properties in one more (only when asked),
 * the locks near it in one, the quota in one (only when asked): four statements at most.
 */
import { and, eq, gt, isNull, or } from 'drizzle-orm';
import type { AuthUser } from '../auth/context.js';
import type { Db } from '../db/open.js';
import { files } from '../db/schema.js';
import { can } from '../files/access.js';
import { ForbiddenError, NotFoundError } from '../http-errors.js';
import { nameKey } from '../names.js';
import { usageOf } from '../quota/usage.js';
import { readXml } from './body.js';
import { resolveResource, type DavContext } from './context.js';
import { locksNear } from './lock-store.js';
import { encodeSegment, hrefOf, storedSegments } from './paths.js';
import { deadPropsOf } from './prop-store.js';
import { DAV, MULTISTATUS_CLOSE, MULTISTATUS_OPEN, responseXml, type PropName, type PropRequest, type PropRow } from './props.js';
import { elements, invalidXml, type XmlElement } from './xml.js';
import { multistatus } from './answers.js';

export async function propfind(ctx: DavContext): Promise<Response> {
  const depth = (ctx.c.req.header('depth') ?? 'infinity').trim().toLowerCase();
  if (depth !== '0' && depth !== '1') {
    if (depth !== 'infinity') throw invalidXml('Depth is 0, 1 or infinity');
    throw new ForbiddenError('PROPFIND with Depth: infinity is not served; use Depth 1', { code: 'forbidden', details: { dav: 'propfind-finite-depth' } });
  }
  const req = propRequest(await readXml(ctx.c));
  const { db } = ctx.deps;
  const r = await resolveResource(db, ctx.user, ctx.path.segments);
  if (!r.exists) throw new NotFoundError(`nothing at ${r.treePath}`);

  const kids = depth === '1' && r.isDir ? await children(db, ctx.user, r.row?.id ?? null) : [];
  const needDead = req.kind !== 'prop' || req.names.some((n) => n.ns !== DAV);
  const ids = [...(r.row ? [r.row.id] : []), ...kids.map((k) => k.id)];
  const dead = needDead ? await deadPropsOf(db, ids) : new Map();
  const needLocks = req.kind === 'allprop' || (req.kind === 'prop' && req.names.some((n) => n.ns === DAV && n.name === 'lockdiscovery'));
  const locks = needLocks ? await locksNear(db, ctx.user.namespaceId, r.lockKey) : [];
  const needQuota = req.kind === 'propname' || (req.kind === 'prop' && req.names.some((n) => n.ns === DAV && n.name.startsWith('quota-')));
  const usage = needQuota ? await usageOf(db, ctx.user.namespaceId) : undefined;
  const quota = usage ? { used: usage.used, available: Math.max(0, usage.quota - usage.used - usage.reserved) } : undefined;

  const base = ctx.path.base;
  const parts: string[] = [MULTISTATUS_OPEN];
  parts.push(responseXml({ href: hrefOf(base, r.segments.length ? storedSegments(r.treePath) : [], r.isDir), row: r.row, isRoot: r.isRoot, lockKey: r.lockKey, dead: r.row ? (dead.get(r.row.id) ?? []) : [], locks, quota, base }, req));
  const parentSegs = storedSegments(r.treePath);
  const parentKey = r.lockKey === '/' ? '' : r.lockKey;
  const parentHref = hrefOf(base, parentSegs, true).replace(/\/$/, '');
  for (const k of kids) {
    // The lock key (case folding) only matters when some lock is near.
    const lockKey = locks.length > 0 ? `${parentKey}/${nameKey(k.name)}` : '';
    const href = `${parentHref}/${encodeSegment(k.name)}${k.isDir ? '/' : ''}`;
    parts.push(responseXml({ href, row: k, isRoot: false, lockKey, dead: dead.get(k.id) ?? [], locks, quota, base }, req));
  }
  parts.push(MULTISTATUS_CLOSE);
  return multistatus(parts.join(''));
}

/**
 * A folder's live children the caller may read, in one query of only the columns a listing shows
 * (pending first uploads are left out: nothing to read yet).
 */
async function children(db: Db, user: AuthUser, parentId: string | null): Promise<PropRow[]> {
  const rows = await db
    .select({ id: files.id, namespaceId: files.namespaceId, name: files.name, isDir: files.isDir, size: files.size, contentHash: files.contentHash, createdAt: files.createdAt, modifiedAt: files.modifiedAt })
    .from(files)
    .where(
      and(
        eq(files.namespaceId, user.namespaceId),
        parentId === null ? isNull(files.parentId) : eq(files.parentId, parentId),
        isNull(files.trashedAt),
        or(eq(files.isDir, true), gt(files.rev, 0)),
      ),
    );
  // The permission function decides per entry; today it needs no query (own namespace), so this stays one pass.
  const allowed = await Promise.all(rows.map((r) => can(db, user, 'read', r)));
  return rows.filter((_, i) => allowed[i]);
}

/** The body: empty is allprop; otherwise `propfind` with `prop`, `allprop` (+ `include`) or `propname`. */
export function propRequest(body: XmlElement | undefined): PropRequest {
  if (!body) return { kind: 'allprop', include: [] };
  if (body.ns !== DAV || body.name !== 'propfind') throw invalidXml('PROPFIND takes a DAV:propfind element');
  const kids = elements(body);
  const prop = kids.find((k) => k.ns === DAV && k.name === 'prop');
  if (prop) return { kind: 'prop', names: elements(prop).map((e): PropName => ({ ns: e.ns, name: e.name })) };
  if (kids.some((k) => k.ns === DAV && k.name === 'propname')) return { kind: 'propname' };
  if (kids.some((k) => k.ns === DAV && k.name === 'allprop')) {
    const include = kids.find((k) => k.ns === DAV && k.name === 'include');
    return { kind: 'allprop', include: include ? elements(include).map((e) => ({ ns: e.ns, name: e.name })) : [] };
  }
  throw invalidXml('DAV:propfind needs prop, allprop or propname');
}
