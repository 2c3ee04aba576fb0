import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { FerryEvent, WireMessage } from '../../shared/api.js';
import { FIXTURE_ROOT } from '../../test/fixtures/cache.js';
import { createEngine, type Engine } from './dispatch.js';
import { serveWebSocket } from './websocket-transport.js';

let server: WebSocketServer;
let url: string;
const listeners = new Set<(event: FerryEvent) => void>();
const real = createEngine();
/** The real engine, with events the test sends by hand. */
const engine: Engine = {
  handle: real.handle,
  close: real.close,
  onEvent(listener) {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  },
};

beforeAll(async () => {
  server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  server.on('connection', (socket) => serveWebSocket(engine, socket));
  await once(server, 'listening');
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => server.close());

async function connect(): Promise<{ socket: WebSocket; next(): Promise<WireMessage> }> {
  const socket = new WebSocket(url);
  const queue: WireMessage[] = [];
  const waiting: ((message: WireMessage) => void)[] = [];
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as WireMessage;
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  await once(socket, 'open');
  return {
    socket,
    next: () =>
      queue.length > 0
        ? Promise.resolve(queue.shift()!)
        : new Promise((resolve) => waiting.push(resolve)),
  };
}

describe('serveWebSocket', () => {
  it('answers requests with results and errors, and pushes events', async () => {
    const folder = await mkdtemp(join(FIXTURE_ROOT, 'ws-'));
    await writeFile(join(folder, 'disk.img'), 'x');
    const { socket, next } = await connect();

    socket.send(
      JSON.stringify({ kind: 'request', id: 1, name: 'browse', params: { path: folder } }),
    );
    expect(await next()).toMatchObject({
      kind: 'result',
      id: 1,
      result: { path: folder, entries: [{ name: 'disk.img', kind: 'file', size: 1 }] },
    });

    socket.send(JSON.stringify({ kind: 'request', id: 2, name: 'plan', params: { spec: {} } }));
    expect(await next()).toMatchObject({
      kind: 'error',
      id: 2,
      error: { code: 'USAGE', message: expect.stringMatching(/^request plan: spec\.source: /) },
    });

    listeners.forEach((listener) => listener({ type: 'disksChanged' }));
    expect(await next()).toEqual({ kind: 'event', event: { type: 'disksChanged' } });
    socket.close();
    await once(socket, 'close');
    await vi.waitFor(() => expect(listeners.size).toBe(0));
  });

  it('drops a client that sends binary frames or what is not a request', async () => {
    const binary = await connect();
    binary.socket.send(Buffer.from([1, 2, 3]));
    expect((await once(binary.socket, 'close'))[0]).toBe(1003);

    const garbage = await connect();
    garbage.socket.send('{"kind":"result","id":1}');
    const [code, reason] = await once(garbage.socket, 'close');
    expect(code).toBe(1007);
    expect(String(reason)).toMatch(/not "request"/);
  });
});
