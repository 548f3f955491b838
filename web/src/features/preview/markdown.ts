/**
 * Markdown rendered safely: `marked` makes HTML, DOMPurify keeps only inert elements (no script,
 * no event handlers, no javascript: URLs, no style, no forms or frames), and links open outside
 * the app without a Referer. Loaded on demand, so the first screen does not carry them. The
 * app's CSP stays the second wall: no inline script or style runs, no foreign image loads.
 */
export async function renderMarkdown(text: string, into: HTMLElement): Promise<void> {
  const [{ marked }, { default: DOMPurify }] = await Promise.all([import('marked'), import('dompurify')]);
  const html = await marked.parse(text, { gfm: true, breaks: false, async: true });
  const clean = DOMPurify.sanitize(html, {
    RETURN_DOM_FRAGMENT: true,
    FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'object', 'embed', 'svg', 'math'],
    FORBID_ATTR: ['style', 'srcset', 'action', 'formaction'],
  });
  for (const a of clean.querySelectorAll('a[href]')) {
    a.setAttribute('target', '_blank');
    a.setAttribute('rel', 'noopener noreferrer');
  }
  // An image the author gave no text is decorative to a screen reader, not a nameless one.
  for (const img of clean.querySelectorAll('img:not([alt])')) img.setAttribute('alt', '');
  into.replaceChildren(clean);
}
