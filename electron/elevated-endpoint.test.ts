import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { openElevatedEndpoint } from './elevated-endpoint.js';

async function dial(path: string, firstWrite: string): Promise<Socket> {
  const socket = connect(path);
  await once(socket, 'connect');
  socket.write(firstWrite);
  return socket;
}

const posix = process.platform !== 'win32';

describe('openElevatedEndpoint', () => {
  // Windows guards the folder with the user's ACL, not mode bits.
  it.runIf(posix)('keeps the token where only this user and root can read it', async () => {
    const endpoint = await openElevatedEndpoint();
    try {
      expect((await stat(endpoint.tokenFile)).mode & 0o777).toBe(0o600);
      expect((await stat(dirname(endpoint.tokenFile))).mode & 0o777).toBe(0o700);
      expect(dirname(endpoint.path)).toBe(dirname(endpoint.tokenFile));
      expect(await readFile(endpoint.tokenFile, 'utf8')).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await endpoint.close();
    }
  });

  it('cuts off a wrong token and accepts the right one, keeping what followed it', async () => {
    const endpoint = await openElevatedEndpoint();
    const token = await readFile(endpoint.tokenFile, 'utf8');
    const impostor = await dial(endpoint.path, `${'0'.repeat(64)}\n{"kind":"event"}\n`);
    await once(impostor, 'close');

    const bridge = await dial(
      endpoint.path,
      `${token}\n{"kind":"event","event":{"type":"disksChanged"}}\n`,
    );
    const accepted = await endpoint.connected;
    accepted.resume();
    const [first] = (await once(accepted, 'data')) as [Buffer];
    expect(first.toString()).toBe('{"kind":"event","event":{"type":"disksChanged"}}\n');
    // Accepting removes the token and the socket file: no second process can follow.
    expect(existsSync(endpoint.tokenFile)).toBe(false);
    if (posix) expect(existsSync(endpoint.path)).toBe(false);
    accepted.end('{"kind":"result","id":1,"result":[]}\n');
    const [reply] = (await once(bridge, 'data')) as [Buffer];
    expect(reply.toString()).toContain('"result":[]');
    bridge.destroy();
  });

  it('cuts off a connection that sends a long line or nothing at all', async () => {
    const endpoint = await openElevatedEndpoint({ handshakeMs: 200 });
    try {
      const flood = await dial(endpoint.path, 'x'.repeat(10_000));
      await once(flood, 'close');
      const silent = await dial(endpoint.path, '');
      await once(silent, 'close');
    } finally {
      await endpoint.close();
    }
  });

  it('rejects the wait when closed before anyone connected', async () => {
    const endpoint = await openElevatedEndpoint();
    await endpoint.close();
    await expect(endpoint.connected).rejects.toMatchObject({ code: 'IO' });
    expect(existsSync(dirname(endpoint.tokenFile))).toBe(false);
  });
});
