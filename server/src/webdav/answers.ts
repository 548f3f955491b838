/** WebDAV answers: 207 multistatus, and errors (any thrown value, mapped where REST maps them). */
import { errorResponse } from '../http-errors.js';

const XML_TYPE = 'application/xml; charset=utf-8';

export function multistatus(xml: string): Response {
  return new Response(xml, { status: 207, headers: { 'Content-Type': XML_TYPE } });
}

export function xmlAnswer(status: number, xml: string, headers: Record<string, string> = {}): Response {
  return new Response(xml, { status, headers: { 'Content-Type': XML_TYPE, ...headers } });
}

/** The error as WebDAV clients read it: the status, a precondition element when RFC 4918 names one, a plain message otherwise. */
export function davErrorResponse(err: unknown): Response {
  const a = errorResponse(err);
  const dav = (a.body.error.details as { dav?: unknown } | undefined)?.dav;
  if (typeof dav === 'string') {
    return xmlAnswer(a.status, `<?xml version="1.0" encoding="utf-8"?>\n<D:error xmlns:D="DAV:"><D:${dav}/></D:error>`, a.headers);
  }
  return new Response(`${a.body.error.message}\n`, { status: a.status, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...a.headers } });
}
