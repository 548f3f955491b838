/**
 * The app's Content-Security-Policy: only its own scripts and styles (no inline script, no eval),
 * API calls and the websocket to this origin, images and media from here or from blob: (previews,
 * thumbnails), frames only of this origin (user content is framed sandboxed and carries its own
 * sandboxing CSP, downloads/user-content.ts) and of blob: (a PDF preview: the app hands the
 * browser's PDF viewer bytes it checked to start with %PDF-, typed application/pdf, because the
 * server sends PDFs only as attachments), and no one may frame the app.
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-src 'self' blob:",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers of every answer of the app's own files. */
export const APP_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': APP_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(self), microphone=(), geolocation=(), payment=()',
};
