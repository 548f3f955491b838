/**
 * PROPPATCH (RFC 4918 §9.2): sets and removes in document order, all or nothing, in one
 * transaction. `DAV:` properties are live and protected (403 `cannot-modify-protected-property`),
 * except the modification times clients keep (Explorer's Win32LastModifiedTime, `lastmodified`,
 * `getlastmodified`): those set the entry's modification time (and Win32 ones are kept as dead
 * properties too, so they read back).
 */
import { WEBDAV_LIMITS } from '@coffer/protocol';
import { HttpError, NotFoundError, ForbiddenError } from '../http-errors.js';
import { readXml } from './body.js';
import { resolveResource, type DavContext } from './context.js';
import { guardWrite } from './guard.js';
import { setModifiedTime } from './mtime.js';
import { hrefOf, storedSegments } from './paths.js';
import { countProps, removeProp, setProp } from './prop-store.js';
import { DAV, emptyElement, MULTISTATUS_CLOSE, MULTISTATUS_OPEN } from './props.js';
import { elements, invalidXml, serialize, textOf, type XmlElement } from './xml.js';
import { multistatus } from './answers.js';

const MS = 'urn:schemas-microsoft-com:';
const MTIME_PROPS = new Set([`${DAV}getlastmodified`, `${DAV}lastmodified`, `${MS}Win32LastModifiedTime`]);

interface Op {
  set: boolean;
  el: XmlElement;
}

export async function proppatch(ctx: DavContext): Promise<Response> {
  const body = await readXml(ctx.c);
  if (!body || body.ns !== DAV || body.name !== 'propertyupdate') throw invalidXml('PROPPATCH takes a DAV:propertyupdate element');
  const ops: Op[] = [];
  for (const action of elements(body)) {
    if (action.ns !== DAV || (action.name !== 'set' && action.name !== 'remove')) continue;
    for (const prop of elements(action).filter((e) => e.ns === DAV && e.name === 'prop')) {
      for (const el of elements(prop)) ops.push({ set: action.name === 'set', el });
    }
  }
  if (ops.length === 0) throw invalidXml('DAV:propertyupdate has no property to set or remove');

  const { db } = ctx.deps;
  const r = await resolveResource(db, ctx.user, ctx.path.segments);
  if (!r.exists) throw new NotFoundError(`nothing at ${r.treePath}`);
  if (!r.row) throw new ForbiddenError('the root folder has no properties of its own');
  await guardWrite(ctx, [{ segments: r.segments }]);
  const row = r.row;

  // Decide every operation first: one refusal fails them all (the others answer 424).
  const results = ops.map((op) => ({ op, status: verdict(op) }));
  const failed = results.some((x) => x.status !== 200);
  if (!failed) {
    const have = await countProps(db, row.id);
    if (have + ops.filter((o) => o.set).length > WEBDAV_LIMITS.maxPropsPerFile) {
      throw new HttpError(507, 'insufficient_storage', `a file keeps at most ${WEBDAV_LIMITS.maxPropsPerFile} properties`);
    }
    await db.transaction(async (tx) => {
      for (const { el, set } of ops) {
        const key = `${el.ns}${el.name}`;
        if (MTIME_PROPS.has(key) && set) {
          await setModifiedTime(tx, row.id, new Date(textOf(el).trim()));
          if (el.ns === DAV) continue;
        }
        if (set) await setProp(tx, row.id, { ns: el.ns, name: el.name, value: serialize(el) });
        else await removeProp(tx, row.id, el.ns, el.name);
      }
    });
  }
  const byStatus = new Map<number, string[]>();
  for (const x of results) {
    const status = failed && x.status === 200 ? 424 : x.status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), emptyElement(x.op.el.ns, x.op.el.name)]);
  }
  const propstats = [...byStatus].map(([status, names]) => `<D:propstat><D:prop>${names.join('')}</D:prop><D:status>HTTP/1.1 ${status} ${REASON[status]}</D:status></D:propstat>`);
  return multistatus(`${MULTISTATUS_OPEN}<D:response><D:href>${hrefOf(ctx.path.base, storedSegments(r.treePath), r.isDir)}</D:href>${propstats.join('')}</D:response>${MULTISTATUS_CLOSE}`);
}

const REASON: Record<number, string> = { 200: 'OK', 403: 'Forbidden', 409: 'Conflict', 424: 'Failed Dependency', 507: 'Insufficient Storage' };

function verdict(op: Op): number {
  const key = `${op.el.ns}${op.el.name}`;
  if (MTIME_PROPS.has(key)) {
    if (!op.set) return op.el.ns === DAV ? 403 : 200;
    return Number.isNaN(new Date(textOf(op.el).trim()).getTime()) ? 409 : 200;
  }
  if (op.el.ns === DAV) return 403; // live properties are computed
  if (op.set && Buffer.byteLength(serialize(op.el)) > WEBDAV_LIMITS.maxPropValueBytes) return 507;
  return 200;
}
