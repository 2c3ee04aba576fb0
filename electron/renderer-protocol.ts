/**
 * Serves dist/renderer under ferry://app/. A custom origin rather than file:// because Chromium
 * sends no response headers for file:// (a Content-Security-Policy header could not be set), and
 * because 'self' on file:// would cover every file on the disk.
 */
import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import { CONTENT_SECURITY_POLICY, RENDERER_HOST, RENDERER_SCHEME } from './web-security.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The file a URL names inside `root`, or null for anything outside it or not ours. */
export function rendererFile(root: string, url: string): string | null {
  let parsed: URL;
  let pathname: string;
  try {
    parsed = new URL(url);
    pathname = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (parsed.protocol !== `${RENDERER_SCHEME}:` || parsed.host !== RENDERER_HOST) return null;
  if (pathname.includes('\0')) return null;
  const file = resolve(root, `.${pathname === '/' ? '/index.html' : pathname}`);
  const inside = relative(resolve(root), file);
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? null : file;
}

export function contentType(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** The response for one request of the renderer: the file with the CSP, or 404. */
export async function rendererResponse(root: string, url: string): Promise<Response> {
  const headers = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
  };
  const file = rendererFile(root, url);
  if (file) {
    try {
      const body = await readFile(file);
      return new Response(body, { headers: { ...headers, 'Content-Type': contentType(file) } });
    } catch {
      // Missing or unreadable: the same 404 as a path outside the renderer.
    }
  }
  return new Response('Not found', { status: 404, headers });
}
