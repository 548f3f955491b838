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

// Intl loads its data on first use: the first date formatter of a fresh page costs 50–70 ms, which
// the files screen's first render would pay (i18n.ts formatDate). Made here, in a task of its own
// while the main script still downloads, the app's formatters then find the data loaded.
setTimeout(() => {
  try {
    let lang = localStorage.getItem('coffer.lang');
    if (lang !== 'en' && lang !== 'ko') lang = navigator.language.toLowerCase().startsWith('ko') ? 'ko' : 'en';
    new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(0);
    new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }).compare('a', 'b');
  } catch {
    // storage blocked or no Intl: the app makes its own
  }
}, 0);

(window as unknown as { __cofferEarly?: { at: number; answers: Record<string, Promise<Response>> } }).__cofferEarly = { at: Date.now(), answers: early };
