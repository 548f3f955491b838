/**
 * A public link's own API under /s/{token} (outside /api/v1, no session): what the link is, its
 * files' bytes, and drops. Answers are parsed with @coffer/protocol's shapes. The password, when
 * there is one, travels in X-Coffer-Link-Password (percent-encoded, so any character can).
 */
import { DropAnswer, ErrorBody, PublicLinkView } from '@coffer/protocol';

export const PASSWORD_HEADER = 'X-Coffer-Link-Password';

export class LinkError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function linkBase(token: string): string {
  return `/s/${encodeURIComponent(token)}`;
}

function headersOf(password: string | undefined): Record<string, string> {
  return password ? { [PASSWORD_HEADER]: encodeURIComponent(password) } : {};
}

async function failure(res: Response): Promise<LinkError> {
  try {
    const body = ErrorBody.parse(await res.json());
    return new LinkError(res.status, body.error.code, body.error.message);
  } catch {
    return new LinkError(res.status, `http_${res.status}`, res.statusText);
  }
}

function withQuery(url: string, q: Record<string, string | undefined>): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) qs.set(k, v);
  const s = qs.toString();
  return s ? `${url}?${s}` : url;
}

export async function readLink(token: string, opts: { path?: string; cursor?: string; password?: string; signal?: AbortSignal }): Promise<PublicLinkView> {
  const res = await fetch(withQuery(linkBase(token), { path: opts.path, cursor: opts.cursor }), {
    headers: { accept: 'application/json', ...headersOf(opts.password) },
    credentials: 'omit',
    signal: opts.signal,
  });
  if (!res.ok) throw await failure(res);
  return PublicLinkView.parse(await res.json());
}

/** The URL of a file's (or a folder's zip) bytes in the link. */
export function downloadUrl(token: string, path?: string): string {
  return withQuery(`${linkBase(token)}/download`, { path });
}

export async function fetchBytes(token: string, opts: { path?: string; password?: string; signal?: AbortSignal; range?: [number, number] }): Promise<Response> {
  const headers: Record<string, string> = headersOf(opts.password);
  if (opts.range) headers.range = `bytes=${opts.range[0]}-${opts.range[1]}`;
  const res = await fetch(downloadUrl(token, opts.path), { headers, credentials: 'omit', signal: opts.signal });
  if (!res.ok) throw await failure(res);
  return res;
}

/** Upload one file into a drop link, reporting progress (XHR: fetch cannot tell upload progress). */
export type Dropped = ReturnType<typeof DropAnswer.parse>;

export function dropFile(token: string, file: File, password: string | undefined, onProgress: (sent: number) => void): Promise<Dropped> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', withQuery(`${linkBase(token)}/upload`, { name: file.name }));
    xhr.withCredentials = false;
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('accept', 'application/json');
    for (const [k, v] of Object.entries(headersOf(password))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onerror = () => reject(new LinkError(0, 'network', 'network error'));
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status === 201) {
        const parsed = DropAnswer.safeParse(body);
        if (parsed.success) return resolve(parsed.data);
      }
      const err = ErrorBody.safeParse(body);
      reject(err.success ? new LinkError(xhr.status, err.data.error.code, err.data.error.message) : new LinkError(xhr.status, `http_${xhr.status}`, xhr.statusText));
    };
    xhr.send(file);
  });
}
