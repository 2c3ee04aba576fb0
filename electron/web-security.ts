/**
 * The rules the window lives by, kept apart from Electron so they can be tested: what the page
 * may load, where it may navigate, which links leave for the user's browser, which frames may
 * talk to the main process.
 */

/** The renderer is served from this origin (renderer-protocol.ts), never from file://. */
export const RENDERER_SCHEME = 'ferry';
export const RENDERER_HOST = 'app';
export const RENDERER_ORIGIN = `${RENDERER_SCHEME}://${RENDERER_HOST}`;
export const RENDERER_INDEX = `${RENDERER_ORIGIN}/index.html`;

/**
 * Scripts and styles from the app's own files only, nothing inline, nothing remote. React sets
 * styles through the DOM, which style-src does not govern, so 'unsafe-inline' is not needed;
 * Vite inlines small images and fonts as data: URLs.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** A page of the app itself. */
export function isRendererUrl(url: string): boolean {
  const parsed = parseUrl(url);
  return parsed?.protocol === `${RENDERER_SCHEME}:` && parsed.host === RENDERER_HOST;
}

/** Only a reload of the same page of the app; the wizard moves between steps without navigating. */
export function navigationAllowed(target: string, current: string): boolean {
  if (!isRendererUrl(target) || !isRendererUrl(current)) return false;
  return parseUrl(target)?.pathname === parseUrl(current)?.pathname;
}

/** A web link the user's browser may open; anything else (file:, javascript:, custom schemes) is dropped. */
export function externalUrl(url: string): string | null {
  const parsed = parseUrl(url);
  return parsed && (parsed.protocol === 'https:' || parsed.protocol === 'http:')
    ? parsed.href
    : null;
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}
