/** The built renderer, served read-only from one folder and never from outside it. */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export type StaticResult =
  | { kind: 'file'; path: string; size: number; type: string }
  | { kind: 'refused'; status: 400 | 403 | 404 | 503; message: string };

/**
 * What `pathname` (still URL-encoded) names inside `root`: "/" is index.html. Anything that
 * resolves outside the root, through `..`, an encoded separator or a symbolic link, is refused.
 */
export async function resolveStatic(root: string, pathname: string): Promise<StaticResult> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { kind: 'refused', status: 400, message: 'malformed path' };
  }
  if (decoded.includes('\0')) return { kind: 'refused', status: 400, message: 'malformed path' };
  const base = resolve(root);
  const index = join(base, 'index.html');
  if (!(await isFile(index))) {
    return {
      kind: 'refused',
      status: 503,
      message: `The app's pages are not built (${index} is missing): build them with "npm run build" (vite build), then reload.`,
    };
  }
  const wanted = resolve(base, `.${decoded.endsWith('/') ? `${decoded}index.html` : decoded}`);
  if (!isInside(base, wanted)) return { kind: 'refused', status: 403, message: 'forbidden' };
  const real = await realpath(wanted).catch(() => null);
  if (real === null) return { kind: 'refused', status: 404, message: 'not found' };
  if (!isInside(await realpath(base), real))
    return { kind: 'refused', status: 403, message: 'forbidden' };
  const stats = await stat(real);
  if (!stats.isFile()) return { kind: 'refused', status: 404, message: 'not found' };
  const type = MIME_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream';
  return { kind: 'file', path: real, size: stats.size, type };
}

/** Sends a resolved file; headers already set on `response` are kept. */
export async function sendFile(
  response: ServerResponse,
  file: Extract<StaticResult, { kind: 'file' }>,
  headOnly: boolean,
): Promise<void> {
  response.writeHead(200, { 'Content-Type': file.type, 'Content-Length': file.size });
  if (headOnly) {
    response.end();
    return;
  }
  // A client that leaves mid-download ends the pipeline; there is nothing to tell it.
  await pipeline(createReadStream(file.path), response).catch(() => {});
}

function isInside(folder: string, path: string): boolean {
  const rest = relative(folder, path);
  return rest !== '' && rest !== '..' && !rest.startsWith(`..${sep}`) && !isAbsolute(rest);
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (stats) => stats.isFile(),
    () => false,
  );
}
