/**
 * The page's first API requests, started while the app's main script still downloads and runs
 * (hundreds of milliseconds on a phone or a busy machine): who is signed in (/me) and, at a files
 * address, the folder's first page. The app's API client takes these answers instead of asking
 * again (api/early.ts), only for the very same URL, once, and only while they are fresh: a URL
 * written differently here is a wasted request, never a wrong answer.
 *
 * Built apart (build/boot-plugin.ts) into a classic script that index.html runs first; it imports
 * nothing, so it stays a few hundred bytes. The URLs follow features/files/listing.ts's first page
 * (`limit` 200) and app/router.ts's drivePathOf; web/test/app.test.ts checks that nothing is
 * asked twice.
 */
const early: Record<string, Promise<Response>> = {};
const get = (url: string) => {
  early[url] = fetch(url, { credentials: 'same-origin', headers: { 'X-Coffer-CSRF': '1' } });
  early[url].catch(() => {}); // the app asks again and handles the failure
};

get('/api/v1/me');
const at = window.location.pathname;
if (/^\/(?:files(?:\/|$)|$)/.test(at)) {
  try {
    const path = '/' + decodeURIComponent(at).replace(/^\/files\/?/, '').split('/').filter(Boolean).join('/');
    get(`/api/v1/list?${new URLSearchParams({ path, limit: '200' }).toString()}`);
  } catch {
    // a malformed address: the app says so
  }
}

// The collator the files screen sorts with loads its data on first use (a few ms, more on a
// phone): made here, in a task of its own while the main script still downloads, the screen's
// then finds the data loaded. (Dates and sizes are written without Intl: i18n.ts.)
setTimeout(() => {
  try {
    new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }).compare('a', 'b');
  } catch {
    // no Intl: the app makes its own
  }
}, 0);

(window as unknown as { __cofferEarly?: { at: number; answers: Record<string, Promise<Response>> } }).__cofferEarly = { at: Date.now(), answers: early };
