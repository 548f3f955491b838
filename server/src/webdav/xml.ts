/**
 * XML in and out of WebDAV. Parsing uses fast-xml-parser after refusing any DOCTYPE outright:
 * no DTD means no entity expansion (billion laughs) and no external entity (XXE) can ever be
 * reached. Its output is resolved into namespace-qualified elements here, since WebDAV names
 * everything by namespace, not prefix. Malformed input is a 400 `invalid_xml`, never a 500.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { BadRequestError } from '../http-errors.js';

export interface XmlElement {
  ns: string;
  name: string;
  /** Attributes by `{ns}name` (no namespace: just the name). */
  attrs: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Entities are decoded here (decodeEntities): the five of XML and character references, nothing else.
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: false,
});

export function invalidXml(message: string): BadRequestError {
  return new BadRequestError(message, { code: 'invalid_xml' });
}

/** The document element of `text`, or undefined for an empty body. */
export function parseXml(text: string): XmlElement | undefined {
  if (text.trim() === '') return undefined;
  // No DTD at all: nothing a WebDAV client sends needs one, and it is where XXE and entity bombs live.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw invalidXml('DOCTYPE and entity declarations are not accepted');
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) throw invalidXml(`malformed XML: ${valid.err.msg} (line ${valid.err.line})`);
  let raw: unknown;
  try {
    raw = parser.parse(text);
  } catch (err) {
    throw invalidXml(`malformed XML: ${err instanceof Error ? err.message : 'unreadable'}`);
  }
  const roots = (raw as RawNode[]).map((n) => resolve(n, new Map([['xml', XML_NS]]))).filter((n): n is XmlElement => typeof n !== 'string');
  if (roots.length !== 1) throw invalidXml('an XML document has exactly one root element');
  return roots[0];
}

type RawNode = Record<string, unknown>;

function resolve(node: RawNode, scope: Map<string, string>): XmlNode | undefined {
  if ('#text' in node) return decodeEntities(String(node['#text']));
  const tag = Object.keys(node).find((k) => k !== ':@');
  if (tag === undefined || tag.startsWith('?') || tag.startsWith('!')) return undefined;
  const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
  const inner = new Map(scope);
  for (const [k, v] of Object.entries(rawAttrs)) {
    if (k === 'xmlns') inner.set('', decodeEntities(String(v)));
    else if (k.startsWith('xmlns:')) {
      // Namespaces in XML 1.0 §5: a prefix cannot be bound to the empty name.
      if (String(v) === '') throw invalidXml(`the prefix ${k.slice(6)} is bound to an empty namespace`);
      inner.set(k.slice(6), decodeEntities(String(v)));
    }
  }
  const [ns, name] = qualify(tag, inner, true);
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawAttrs)) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
    const [ans, aname] = qualify(k, inner, false);
    attrs[ans ? `{${ans}}${aname}` : aname] = decodeEntities(String(v));
  }
  const children: XmlNode[] = [];
  for (const c of (node[tag] ?? []) as RawNode[]) {
    const r = resolve(c, inner);
    if (r !== undefined) children.push(r);
  }
  return { ns, name, attrs, children };
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** The five predefined entities and character references, in one pass; anything else is malformed. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-z]{2,4});?/g, (m, ref: string) => {
    if (!m.endsWith(';')) throw invalidXml(`a bare '&' in text: ${m}`);
    if (ref.startsWith('#')) {
      const cp = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      const ok = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
      if (!ok) throw invalidXml(`${m} is not a character XML allows`);
      return String.fromCodePoint(cp);
    }
    const v = PREDEFINED[ref];
    if (v === undefined) throw invalidXml(`the entity ${m} is not defined`);
    return v;
  });
}

function qualify(qname: string, scope: Map<string, string>, isElement: boolean): [string, string] {
  const colon = qname.indexOf(':');
  if (colon < 0) return [isElement ? (scope.get('') ?? '') : '', qname];
  const prefix = qname.slice(0, colon);
  const ns = scope.get(prefix);
  if (ns === undefined) throw invalidXml(`the prefix ${prefix} is not declared`);
  return [ns, qname.slice(colon + 1)];
}

/** Child elements only (text between them is formatting). */
export function elements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string');
}

export function child(el: XmlElement, ns: string, name: string): XmlElement | undefined {
  return elements(el).find((c) => c.ns === ns && c.name === name);
}

export function textOf(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('');
}

/** For element content: quotes need no escaping there (ETags are full of them). */
export function escapeText(s: string): string {
  return s.replace(/[<>&]/g, (ch) => (ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : '&amp;'));
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (ch) => (ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch === '&' ? '&amp;' : '&quot;'));
}

/**
 * An element written back as self-contained XML: every element declares the default namespace
 * it is in when its parent's differs, attributes in a namespace get a prefix declared on the
 * spot. Dead properties are stored this way and answered verbatim.
 */
export function serialize(el: XmlElement, parentNs: string | null = null): string {
  let decls = el.ns === parentNs ? '' : ` xmlns="${escapeXml(el.ns)}"`;
  let attrs = '';
  let n = 0;
  for (const [k, v] of Object.entries(el.attrs)) {
    const m = /^\{(.*)\}(.*)$/.exec(k);
    if (!m) attrs += ` ${k}="${escapeXml(v)}"`;
    else if (m[1] === XML_NS) attrs += ` xml:${m[2]}="${escapeXml(v)}"`;
    else {
      const p = `a${n++}`;
      decls += ` xmlns:${p}="${escapeXml(m[1]!)}"`;
      attrs += ` ${p}:${m[2]}="${escapeXml(v)}"`;
    }
  }
  const body = el.children.map((c) => (typeof c === 'string' ? escapeText(c) : serialize(c, el.ns))).join('');
  return body === '' ? `<${el.name}${decls}${attrs}/>` : `<${el.name}${decls}${attrs}>${body}</${el.name}>`;
}
