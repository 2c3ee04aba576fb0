import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FerryEvent, WireMessage } from '../../shared/api.js';
import { GPT_REPORT } from '../test-support/fixtures.js';
import { apiUrl } from './ferry.js';
import {
  createSocketFerry,
  FerryRequestError,
  type SocketEvents,
  type SocketLike,
} from './socket-ferry.js';

/** A WebSocket the test drives: it opens, receives and closes when told to. */
class FakeSocket implements SocketLike {
  readonly sent: WireMessage[] = [];
  closed = false;
  private readonly listeners: { [K in keyof SocketEvents]: ((event: SocketEvents[K]) => void)[] } =
    {
      open: [],
      close: [],
      message: [],
    };

  constructor(readonly url: string) {}

  addEventListener<K extends keyof SocketEvents>(
    type: K,
    listener: (event: SocketEvents[K]) => void,
  ) {
    (this.listeners[type] as ((event: SocketEvents[K]) => void)[]).push(listener);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as WireMessage);
  }

  close(): void {
    this.closed = true;
  }

  open(): void {
    for (const listener of this.listeners.open) listener(undefined);
  }

  drop(): void {
    for (const listener of this.listeners.close) listener(undefined);
  }

  receive(message: WireMessage | string): void {
    const data = typeof message === 'string' ? message : JSON.stringify(message);
    for (const listener of this.listeners.message) listener({ data });
  }
}

function connectRecorder() {
  const sockets: FakeSocket[] = [];
  const connect = (url: string) => {
    const socket = new FakeSocket(url);
    sockets.push(socket);
    return socket;
  };
  const latest = () => sockets[sockets.length - 1]!;
  return { sockets, connect, latest };
}

const URL = 'ws://127.0.0.1:8123/api';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('the WebSocket FerryApi', () => {
  it('sends requests queued while connecting once the socket opens, and matches answers by id', async () => {
    const { connect, latest } = connectRecorder();
    const ferry = createSocketFerry({ url: URL, connect });
    const inspect = ferry.request('inspect', { source: '/img' });
    const disks = ferry.request('listDisks', {});
    expect(latest().sent).toEqual([]);
    latest().open();
    expect(latest().sent).toEqual([
      { kind: 'request', id: 1, name: 'inspect', params: { source: '/img' } },
      { kind: 'request', id: 2, name: 'listDisks', params: {} },
    ]);
    latest().receive({ kind: 'result', id: 2, result: [] });
    latest().receive({ kind: 'result', id: 1, result: GPT_REPORT });
    await expect(inspect).resolves.toEqual(GPT_REPORT);
    await expect(disks).resolves.toEqual([]);
  });

  it('rejects with the engine’s code and message', async () => {
    const { connect, latest } = connectRecorder();
    const ferry = createSocketFerry({ url: URL, connect });
    latest().open();
    const inspect = ferry.request('inspect', { source: '/nope' });
    latest().receive({
      kind: 'error',
      id: 1,
      error: { code: 'SOURCE_NOT_FOUND', message: '/nope: no such file' },
    });
    const error = await inspect.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FerryRequestError);
    expect(error).toMatchObject({ code: 'SOURCE_NOT_FOUND', message: '/nope: no such file' });
  });

  it('hands events to listeners until they unsubscribe, and ignores frames that are not messages', () => {
    const { connect, latest } = connectRecorder();
    const ferry = createSocketFerry({ url: URL, connect });
    latest().open();
    const seen: FerryEvent[] = [];
    const stop = ferry.onEvent((event) => seen.push(event));
    latest().receive('not json');
    latest().receive('{"kind":"error","id":1}');
    latest().receive({ kind: 'event', event: { type: 'disksChanged' } });
    stop();
    latest().receive({ kind: 'event', event: { type: 'disksChanged' } });
    expect(seen).toEqual([{ type: 'disksChanged' }]);
  });

  it('rejects what was pending when the connection drops, then reconnects with growing delays', async () => {
    const { sockets, connect, latest } = connectRecorder();
    const ferry = createSocketFerry({ url: URL, connect });
    latest().open();
    const pending = ferry.request('listJobs', {});
    latest().drop();
    await expect(pending).rejects.toThrow(
      `Lost the connection to the Ferry engine at ${URL}; reconnecting. Is ferry console still running?`,
    );
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(250);
    expect(sockets).toHaveLength(2);
    latest().drop();
    vi.advanceTimersByTime(499);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
    latest().open();
    const again = ferry.request('listJobs', {});
    latest().receive({ kind: 'result', id: 2, result: [] });
    await expect(again).resolves.toEqual([]);
  });

  it('says the engine cannot be reached when it never answered, and retries at once for a new request', async () => {
    const { sockets, connect, latest } = connectRecorder();
    const ferry = createSocketFerry({ url: URL, connect, retryDelay: () => 60_000 });
    const first = ferry.request('listDisks', {});
    latest().drop();
    await expect(first).rejects.toThrow(
      `Cannot reach the Ferry engine at ${URL}. Is ferry console running?`,
    );
    void ferry.request('listDisks', {}).catch(() => undefined);
    expect(sockets).toHaveLength(2);
    ferry.close();
    expect(latest().closed).toBe(true);
  });

  it('rejects everything once closed for good and stops reconnecting', async () => {
    const { sockets, connect, latest } = connectRecorder();
    const ferry = createSocketFerry({ url: URL, connect });
    latest().open();
    const pending = ferry.request('listJobs', {});
    ferry.close();
    latest().drop();
    await expect(pending).rejects.toThrow('The Ferry client was closed.');
    await expect(ferry.request('listJobs', {})).rejects.toThrow('The Ferry client was closed.');
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });
});

describe('the API address', () => {
  it('is /api of the page’s own server, secure when the page is', () => {
    expect(apiUrl({ protocol: 'http:', host: '127.0.0.1:8123' })).toBe('ws://127.0.0.1:8123/api');
    expect(apiUrl({ protocol: 'https:', host: 'ferry.lan' })).toBe('wss://ferry.lan/api');
  });
});
