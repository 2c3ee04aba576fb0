/**
 * `ferry console`: the app's pages and the engine's WebSocket API (`/api`) on one origin, for a
 * browser. It can read every disk of the machine, so every request must carry the token and
 * every WebSocket must also come from a page of this server.
 */
import { STATUS_CODES, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { FerryError } from '../../shared/errors.js';
import {
  isSameOrigin,
  newToken,
  presentedToken,
  requestHost,
  tokenCookie,
} from './console-auth.js';
import type { Engine } from './dispatch.js';
import { resolveStatic, sendFile } from './static-files.js';
import { serveWebSocket } from './websocket-transport.js';

export interface ConsoleServerOptions {
  engine: Engine;
  /** 127.0.0.1 unless the user names another address. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The built renderer; dist/renderer by default. */
  root?: string;
  token?: string;
}

export interface ConsoleServer {
  /** What to open: the origin, with the token. */
  url: string;
  origin: string;
  port: number;
  root: string;
  /** Stops listening and drops every client; the engine is the caller's to close. */
  close(): Promise<void>;
}

export const DEFAULT_RENDERER_ROOT = fileURLToPath(new URL('../../renderer/', import.meta.url));

/** Requests are small JSON objects; anything larger is not from our page. */
const MAX_MESSAGE_BYTES = 1 << 20;
/** A client that does not answer the closing handshake is cut off after this. */
const CLOSE_GRACE_MS = 1_000;

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const host = options.host ?? '127.0.0.1';
  const root = options.root ?? DEFAULT_RENDERER_ROOT;
  const token = options.token ?? newToken();
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const server = createServer();
  const port = (): number => (server.address() as AddressInfo).port;

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    handlePage(request, response, { root, token, port: port() }).catch(() => {
      if (!response.headersSent) sendText(response, 500, 'internal error');
      else response.destroy();
    });
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const refusal = upgradeRefusal(request, token, port());
    if (refusal !== null) {
      socket.end(
        `HTTP/1.1 ${refusal} ${STATUS_CODES[refusal]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    sockets.handleUpgrade(request, socket, head, (client) =>
      serveWebSocket(options.engine, client),
    );
  });

  await listen(server, host, options.port ?? 0);
  const origin = `http://${urlHost(host)}:${port()}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port: port(),
    root,
    async close() {
      for (const client of sockets.clients) client.close(1001, 'the console is stopping');
      const cutOff = setTimeout(() => {
        for (const client of sockets.clients) client.terminate();
      }, CLOSE_GRACE_MS);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      clearTimeout(cutOff);
      sockets.close();
    },
  };
}

/** Addresses reachable from this machine only: no warning is needed to listen on them. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || /^127\./.test(host) || host === '::1' || host === '[::1]';
}

interface PageContext {
  root: string;
  token: string;
  port: number;
}

async function handlePage(
  request: IncomingMessage,
  response: ServerResponse,
  context: PageContext,
): Promise<void> {
  const host = requestHost(request);
  if (host === null) return sendText(response, 400, 'bad Host header');
  setSecurityHeaders(response, host);
  const url = new URL(request.url ?? '/', `http://${host}`);
  const token = presentedToken(request, url, context.port, context.token);
  if (!token.valid) {
    return sendText(
      response,
      401,
      'Open the address printed by "ferry console", with its ?token=, to use this console.',
    );
  }
  if (token.fromQuery) response.setHeader('Set-Cookie', tokenCookie(context.port, context.token));
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    return sendText(response, 405, 'method not allowed');
  }
  if (url.pathname === '/api') return sendText(response, 426, 'the API is a WebSocket');
  const file = await resolveStatic(context.root, url.pathname);
  if (file.kind === 'refused') return sendText(response, file.status, file.message);
  await sendFile(response, file, request.method === 'HEAD');
}

function upgradeRefusal(request: IncomingMessage, token: string, port: number): number | null {
  const host = requestHost(request);
  if (host === null) return 400;
  const url = new URL(request.url ?? '/', `http://${host}`);
  if (url.pathname !== '/api') return 404;
  if (!presentedToken(request, url, port, token).valid) return 401;
  if (!isSameOrigin(request, host)) return 403;
  return null;
}

/**
 * Only this server's own files and its own WebSocket: no inline script, no framing, no
 * referrer (the first page's address holds the token).
 */
function setSecurityHeaders(response: ServerResponse, host: string): void {
  response.setHeader(
    'Content-Security-Policy',
    [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self' data:",
      `connect-src 'self' ws://${host}`,
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
  );
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  response.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  response.setHeader('Cache-Control', 'no-store');
}

function sendText(response: ServerResponse, status: number, text: string): void {
  const body = `${text}\n`;
  response.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  response.end(body);
}

function listen(
  server: ReturnType<typeof createServer>,
  host: string,
  port: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(listenFailure(error, host, port)),
    );
    server.listen(port, host, () => resolve());
  });
}

function listenFailure(error: NodeJS.ErrnoException, host: string, port: number): FerryError {
  const where = `${host}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new FerryError('USAGE', 'the port is in use', {
        where,
        hint: 'choose another --port, or --port 0 for a free one',
        cause: error,
      });
    case 'EACCES':
      return new FerryError('PERMISSION_DENIED', 'not allowed to listen on this port', {
        where,
        hint: 'choose a port above 1023, or --port 0 for a free one',
        cause: error,
      });
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new FerryError('USAGE', 'this machine has no such address', {
        where,
        hint: 'give --host an address of this machine, such as 127.0.0.1',
        cause: error,
      });
    default:
      return new FerryError('IO', `cannot listen: ${error.message}`, {
        where,
        hint: 'try another --host or --port',
        cause: error,
      });
  }
}

/** The address to print: a wildcard address is shown as one of the machine's own. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal);
    return external?.address ?? '127.0.0.1';
  }
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
