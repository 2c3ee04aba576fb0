import { once } from 'node:events';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { request, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { WireMessage } from '../../shared/api.js';
import { FIXTURE_ROOT } from '../../test/fixtures/cache.js';
import { startConsoleServer, type ConsoleServer } from './console-server.js';
import { createEngine } from './dispatch.js';

const SECRET = 'the secret outside the root';
const INDEX = '<!doctype html><script type="module" src="./assets/app.js"></script>';

let root: string;
let server: ConsoleServer;
let token: string;
const engine = createEngine();

beforeAll(async () => {
  const base = await mkdtemp(join(FIXTURE_ROOT, 'console-'));
  root = join(base, 'renderer');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'index.html'), INDEX);
  await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(root, 'assets', 'app.css'), 'body{}');
  await writeFile(join(root, 'assets', 'blob.xyz'), 'data');
  await writeFile(join(base, 'secret.txt'), SECRET);
  await symlink(join(base, 'secret.txt'), join(root, 'leak.txt'));
  server = await startConsoleServer({ engine, root });
  token = new URL(server.url).searchParams.get('token')!;
});

afterAll(() => server.close());

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP request: the path goes out exactly as written, `..` and all. */
async function get(
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  port = server.port,
): Promise<Reply> {
  const outgoing = request({ host: '127.0.0.1', port, path, method, headers });
  outgoing.end();
  const [response] = await once(outgoing, 'response');
  let body = '';
  for await (const chunk of response) body += chunk;
  return { status: response.statusCode, headers: response.headers, body };
}

async function getWithCookie(path: string, method = 'GET'): Promise<Reply> {
  return get(path, { cookie: `ferry_console_${server.port}=${token}` }, method);
}

/** The status of a WebSocket handshake: 101 when it opened. */
async function handshake(options: { path?: string; cookie?: boolean; origin?: string }) {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}${options.path ?? '/api'}`, {
    ...(options.origin === undefined ? {} : { origin: options.origin }),
    headers: options.cookie ? { cookie: `ferry_console_${server.port}=${token}` } : {},
  });
  socket.on('error', () => {});
  return new Promise<{ status: number; socket: WebSocket }>((resolve) => {
    socket.on('open', () => resolve({ status: 101, socket }));
    socket.on('unexpected-response', (_request, response) =>
      resolve({ status: response.statusCode ?? 0, socket }),
    );
  });
}

describe('ferry console server', () => {
  it('listens on 127.0.0.1 on a free port and prints a URL with a 256-bit token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    expect(server.origin).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('refuses a request without the token, or with a wrong one: 401', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/assets/app.js')).status).toBe(401);
    expect((await get(`/?token=${token.slice(1)}x`)).status).toBe(401);
    expect((await get('/', { cookie: `ferry_console_${server.port}=wrong` })).status).toBe(401);
    expect((await get('/', { cookie: `ferry_console_1=${token}` })).status).toBe(401);
  });

  it('serves the page for the right token, sets the cookie, and sends strict security headers', async () => {
    const reply = await get(`/?token=${token}`);
    expect(reply.status).toBe(200);
    expect(reply.body).toBe(INDEX);
    expect(reply.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(reply.headers['set-cookie']).toEqual([
      `ferry_console_${server.port}=${token}; Path=/; HttpOnly; SameSite=Strict`,
    ]);
    const csp = reply.headers['content-security-policy']!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers['referrer-policy']).toBe('no-referrer');
  });

  it('serves assets with the cookie alone, each with its MIME type', async () => {
    expect(await getWithCookie('/assets/app.js')).toMatchObject({
      status: 200,
      body: 'console.log(1)',
      headers: { 'content-type': 'text/javascript; charset=utf-8' },
    });
    expect((await getWithCookie('/assets/app.css')).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    );
    expect((await getWithCookie('/assets/blob.xyz')).headers['content-type']).toBe(
      'application/octet-stream',
    );
    expect((await getWithCookie('/assets/../index.html')).body).toBe(INDEX);
    expect((await getWithCookie('/assets/missing.js')).status).toBe(404);
    expect((await getWithCookie('/assets/')).status).toBe(404);
    const head = await getWithCookie('/assets/app.js', 'HEAD');
    expect(head).toMatchObject({ status: 200, body: '', headers: { 'content-length': '14' } });
    expect((await getWithCookie('/', 'POST')).status).toBe(405);
  });

  it.each([
    '/../secret.txt',
    '/..%2fsecret.txt',
    '/%2e%2e/secret.txt',
    '/%2e%2e%2fsecret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets%2f..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    '/leak.txt',
    '/%00',
    '/%E0%A4%A',
  ])('never serves what lies outside the root: %s', async (path) => {
    const reply = await getWithCookie(path);
    expect([400, 403, 404]).toContain(reply.status);
    expect(reply.body).not.toContain(SECRET);
  });

  it('opens the WebSocket API for a page of its own origin with the token, and serves requests on it', async () => {
    const { status, socket } = await handshake({ cookie: true, origin: server.origin });
    expect(status).toBe(101);
    socket.send(JSON.stringify({ kind: 'request', id: 9, name: 'listJobs', params: {} }));
    const [data] = await once(socket, 'message');
    expect(JSON.parse(String(data)) as WireMessage).toEqual({ kind: 'result', id: 9, result: [] });
    socket.close();

    const byQuery = await handshake({ path: `/api?token=${token}`, origin: server.origin });
    expect(byQuery.status).toBe(101);
    byQuery.socket.close();
  });

  it('refuses a WebSocket from a foreign origin: 403, and one without the token: 401', async () => {
    expect((await handshake({ cookie: true, origin: 'http://evil.example' })).status).toBe(403);
    expect(
      (await handshake({ cookie: true, origin: `http://localhost:${server.port}` })).status,
    ).toBe(403);
    expect((await handshake({ cookie: true })).status).toBe(403);
    expect((await handshake({ origin: server.origin })).status).toBe(401);
    expect((await handshake({ path: '/api?token=wrong', origin: server.origin })).status).toBe(401);
    expect((await handshake({ path: '/other', cookie: true, origin: server.origin })).status).toBe(
      404,
    );
  });

  it('says so when the renderer is not built', async () => {
    const empty = await mkdtemp(join(FIXTURE_ROOT, 'console-empty-'));
    const bare = await startConsoleServer({ engine, root: empty, token: 'fixed' });
    try {
      const reply = await get('/?token=fixed', {}, 'GET', bare.port);
      expect(reply.status).toBe(503);
      expect(reply.body).toMatch(/not built.*vite build/);
    } finally {
      await bare.close();
    }
  });

  it('drops its WebSocket clients when it closes', async () => {
    const other = await startConsoleServer({ engine, root });
    const socket = new WebSocket(
      `ws://127.0.0.1:${other.port}/api?${new URL(other.url).search.slice(1)}`,
      {
        origin: other.origin,
      },
    );
    await once(socket, 'open');
    const closed = once(socket, 'close');
    await other.close();
    expect((await closed)[0]).toBe(1001);
  });
});
