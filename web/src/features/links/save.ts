/** Downloads from a link page. Without a password a plain link works (the browser streams it to
 *  disk); with one, only fetch can send the header, so the file goes through a blob. */
import { downloadUrl, fetchBytes } from './link-api';

export async function saveFromLink(token: string, path: string | undefined, name: string, password: string | undefined): Promise<void> {
  const a = document.createElement('a');
  let url: string | undefined;
  if (password === undefined) {
    a.href = downloadUrl(token, path);
  } else {
    const res = await fetchBytes(token, { path, password });
    url = URL.createObjectURL(await res.blob());
    a.href = url;
  }
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  if (url) setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
