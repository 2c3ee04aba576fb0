import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { FerryError } from '../shared/errors.js';
import { openElevatedEndpoint } from './elevated-endpoint.js';
import { parseBridgeArgs, runBridge } from './elevated-bridge.js';
import { writeFakeHost } from './test-support/fake-host.js';

describe('runBridge', () => {
  it('connects with the token, joins the host to the connection, and ends with it', async () => {
    const hostScript = await writeFakeHost(
      await mkdtemp(join(tmpdir(), 'ferry-bridge-')),
      'elevated',
    );
    const endpoint = await openElevatedEndpoint();
    const bridge = runBridge({
      connect: endpoint.path,
      tokenFile: endpoint.tokenFile,
      hostScript,
      execPath: process.execPath,
    });
    const socket = await endpoint.connected;
    const lines = createInterface({ input: socket })[Symbol.asyncIterator]();
    expect(JSON.parse((await lines.next()).value)).toEqual({
      kind: 'event',
      event: { type: 'disksChanged' },
    });
    socket.write('{"kind":"request","id":1,"name":"inspect","params":{"source":"/dev/sda"}}\n');
    expect(JSON.parse((await lines.next()).value)).toMatchObject({
      kind: 'result',
      id: 1,
      result: { label: 'elevated', runAsNode: '1' },
    });
    socket.end();
    await expect(bridge).resolves.toBe(0);
  });
});

describe('parseBridgeArgs', () => {
  it('reads the three options', () => {
    expect(parseBridgeArgs(['--connect', '/s', '--token-file', '/t', '--host', '/h.js'])).toEqual({
      connect: '/s',
      tokenFile: '/t',
      hostScript: '/h.js',
    });
  });

  it('refuses a command line without them', () => {
    expect(() => parseBridgeArgs(['--connect', '/s'])).toThrow(FerryError);
    expect(() => parseBridgeArgs(['--what'])).toThrow();
  });
});
