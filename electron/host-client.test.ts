import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import type { FerryEvent, WireMessage } from '../shared/api.js';
import { HostClient } from './host-client.js';

/** A host played by the test: what the client writes, and a way to answer. */
function fakeHost() {
  const fromHost = new PassThrough();
  const toHost = new PassThrough();
  const received: WireMessage[] = [];
  createInterface({ input: toHost }).on('line', (line) => received.push(JSON.parse(line)));
  const events: FerryEvent[] = [];
  const noise: string[] = [];
  const client = new HostClient({
    input: fromHost,
    output: toHost,
    elevated: false,
    onEvent: (event) => events.push(event),
    onNoise: (line) => noise.push(line),
  });
  const say = (text: string): void => void fromHost.write(text);
  return { client, received, events, noise, say, fromHost, toHost };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('HostClient', () => {
  it('writes NDJSON requests and matches answers by id, in any order', async () => {
    const host = fakeHost();
    const first = host.client.request('listDisks', {});
    const second = host.client.request('inspect', { source: '/tmp/a.img' });
    await tick();
    expect(host.received).toEqual([
      { kind: 'request', id: 1, name: 'listDisks', params: {} },
      { kind: 'request', id: 2, name: 'inspect', params: { source: '/tmp/a.img' } },
    ]);
    host.say('{"kind":"error","id":2,"error":{"code":"BAD_IMAGE","message":"a.img: bad"}}\n');
    host.say('{"kind":"result","id":1,"result":[]}\n');
    await expect(second).resolves.toEqual({
      kind: 'error',
      id: 2,
      error: { code: 'BAD_IMAGE', message: 'a.img: bad' },
    });
    await expect(first).resolves.toEqual({ kind: 'result', id: 1, result: [] });
  });

  it('hands on events and reassembles lines split across chunks', async () => {
    const host = fakeHost();
    host.say('{"kind":"event","event":{"type":"disks');
    host.say('Changed"}}\r\n{"kind":"event","event":{"type":"jobLog","id":"j","line":');
    host.say('{"at":"t","level":"info","message":"m"}}}\n');
    await tick();
    expect(host.events).toEqual([
      { type: 'disksChanged' },
      { type: 'jobLog', id: 'j', line: { at: 't', level: 'info', message: 'm' } },
    ]);
  });

  it('reports lines that are not WireMessages without stopping', async () => {
    const host = fakeHost();
    const answer = host.client.request('listJobs', {});
    host.say('debug: starting\n{"kind":"result"}\n{"kind":"result","id":99,"result":1}\n\n');
    host.say('{"kind":"result","id":1,"result":[]}\n');
    await expect(answer).resolves.toMatchObject({ id: 1, result: [] });
    expect(host.noise).toEqual([
      'debug: starting',
      '{"kind":"result"}',
      '{"kind":"result","id":99,"result":1}',
    ]);
  });

  it('answers what is pending, and what comes later, with IO when the host goes away', async () => {
    const host = fakeHost();
    const pending = host.client.request('listDisks', {});
    host.fromHost.end();
    const lost = await pending;
    expect(lost).toMatchObject({ kind: 'error', id: 1, error: { code: 'IO' } });
    expect(lost.kind === 'error' && lost.error.message).toMatch(/engine stopped/);
    await host.client.closed;
    expect(host.client.isOpen).toBe(false);
    await expect(host.client.request('listDisks', {})).resolves.toMatchObject({
      error: { code: 'IO' },
    });
  });

  it('ends the host input on end()', async () => {
    const host = fakeHost();
    const ended = vi.fn();
    host.toHost.on('end', ended);
    host.toHost.resume();
    host.client.end();
    await tick();
    expect(ended).toHaveBeenCalled();
  });
});
