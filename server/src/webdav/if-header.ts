/**
 * The `If` header (RFC 4918 §10.4): lists of lock tokens and ETags, each list optionally tagged
 * with the resource it is about. Parsing is strict (a malformed header is a 400); evaluation
 * asks the caller for each resource's current tokens and ETag.
 */
import { BadRequestError } from '../http-errors.js';

export interface Condition {
  not: boolean;
  token?: string;
  etag?: string;
}

export interface IfList {
  /** The resource tag's URL, or undefined: the request's resource. */
  resource?: string;
  conditions: Condition[];
  /** The header ended inside this list: it never holds (see parseIf). */
  clipped?: boolean;
}

export function parseIf(header: string | undefined): IfList[] | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const s = header;
  let i = 0;
  const lists: IfList[] = [];
  let tag: string | undefined;
  const bad = (why: string) => new BadRequestError(`malformed If header: ${why}`);
  const skip = () => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  const until = (close: string) => {
    const end = s.indexOf(close, i);
    if (end < 0) throw bad(`missing '${close}'`);
    const v = s.slice(i, end);
    i = end + 1;
    return v;
  };
  let tagged: boolean | undefined;
  for (;;) {
    skip();
    if (i >= s.length) break;
    if (s[i] === '<') {
      if (tagged === false) throw bad('a resource tag after untagged lists');
      tagged = true;
      i++;
      tag = until('>');
      continue;
    }
    if (s[i] !== '(') throw bad(`unexpected '${s[i]}'`);
    if (tagged === undefined) tagged = false;
    if (tagged && tag === undefined) throw bad('a list before its resource tag');
    i++;
    const conditions: Condition[] = [];
    // Some clients (neon, so litmus and davfs2) cut long If headers at a fixed size: a list the
    // header ends inside is kept as one that never holds, so a cut can only make a request fail.
    const clippedHere = () => {
      lists.push({ resource: tag, conditions, clipped: true });
      return lists;
    };
    for (;;) {
      skip();
      if (i >= s.length) return clippedHere();
      if (s[i] === ')') {
        i++;
        break;
      }
      let not = false;
      if (s.slice(i, i + 3).toLowerCase() === 'not') {
        not = true;
        i += 3;
        skip();
      }
      const close = s[i] === '<' ? '>' : s[i] === '[' ? ']' : undefined;
      if (close === undefined) throw bad('a condition is a <state-token> or an [entity-tag]');
      i++;
      if (s.indexOf(close, i) < 0) return clippedHere();
      const v = until(close);
      conditions.push(close === '>' ? { not, token: v } : { not, etag: v });
    }
    if (conditions.length === 0) throw bad('an empty list');
    lists.push({ resource: tag, conditions });
  }
  if (lists.length === 0) throw bad('no list');
  return lists;
}

/** Every lock token named in a positive condition: the tokens the client submits. */
export function submittedTokens(lists: IfList[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const l of lists ?? []) for (const c of l.conditions) if (c.token && !c.not) out.add(c.token);
  return out;
}

export interface ResourceState {
  /** Tokens of the locks covering the resource. */
  tokens: Set<string>;
  /** Its ETag (quoted), if it has one. */
  etag?: string;
}

/** True when some list holds (RFC 4918 §10.4.3); `state` gives the resource a list is about. */
export async function evaluateIf(lists: IfList[], state: (resource: string | undefined) => Promise<ResourceState>): Promise<boolean> {
  for (const list of lists) {
    if (list.clipped) continue;
    const st = await state(list.resource);
    const holds = list.conditions.every((c) => {
      const match = c.token !== undefined ? st.tokens.has(c.token) : st.etag !== undefined && weakless(c.etag!) === weakless(st.etag);
      return c.not ? !match : match;
    });
    if (holds) return true;
  }
  return false;
}

function weakless(etag: string): string {
  return etag.trim().replace(/^W\//, '');
}
