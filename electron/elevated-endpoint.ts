/**
 * Where an elevated engine host reaches back to this process. A Unix socket in a directory only
 * this user (and root) can enter, or a Windows named pipe; on both, the first line a connection
 * sends must be a one-time token kept in a file of that directory. Anything else is cut off:
 * no process but the one we started elevated can pose as the engine.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FerryError } from '../shared/errors.js';

export interface ElevatedEndpoint {
  /** What the bridge connects to. */
  readonly path: string;
  readonly tokenFile: string;
  /**
   * The first connection that presented the token, paused, with everything after the token
   * still unread: nothing is lost before its reader (readline, pipe) resumes it.
   */
  readonly connected: Promise<Socket>;
  /** Stops listening and removes the token; a connection already made stays open. */
  close(): Promise<void>;
}

export interface EndpointOptions {
  platform?: NodeJS.Platform;
  /** How long a connection may take to present the token. */
  handshakeMs?: number;
}

const TOKEN_BYTES = 32;
const MAX_TOKEN_LINE = 256;

export async function openElevatedEndpoint(
  options: EndpointOptions = {},
): Promise<ElevatedEndpoint> {
  const platform = options.platform ?? process.platform;
  const handshakeMs = options.handshakeMs ?? 10_000;
  // mkdtemp makes the directory 0700: other users can neither read the token nor reach the socket.
  const dir = await mkdtemp(join(tmpdir(), 'ferry-elevation-'));
  const token = randomBytes(TOKEN_BYTES).toString('hex');
  const tokenFile = join(dir, 'token');
  await writeFile(tokenFile, token, { mode: 0o600, flag: 'wx' });
  const path =
    platform === 'win32'
      ? `\\\\.\\pipe\\ferry-elevation-${randomBytes(16).toString('hex')}`
      : join(dir, 'host.sock');

  const server = createServer();
  let accept: (socket: Socket) => void = () => undefined;
  let refuse: (error: Error) => void = () => undefined;
  const connected = new Promise<Socket>((resolve, reject) => {
    accept = resolve;
    refuse = reject;
  });
  // The caller may close without ever waiting on the connection.
  connected.catch(() => undefined);

  let proven: Socket | undefined;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      server.close();
      if (!proven) {
        refuse(
          new FerryError('IO', 'the elevated engine did not connect', {
            where: 'administrator rights',
            hint: 'try again; if it keeps failing, run Ferry as administrator',
          }),
        );
      }
      await rm(dir, { recursive: true, force: true });
    })();
    return closing;
  };

  server.on('connection', (socket) => {
    checkToken(socket, token, handshakeMs)
      .then(async (valid) => {
        if (!valid || closing) return void socket.destroy();
        proven = socket;
        // The token is gone before anyone hears of the connection.
        await close();
        accept(socket);
      })
      .catch(() => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { path, tokenFile, connected, close };
}

/** Reads the first line and compares it with the token in constant time; the rest stays unread. */
function checkToken(socket: Socket, token: string, handshakeMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => finish(false), handshakeMs);
    const finish = (proven: boolean): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(proven);
    };
    const onClose = (): void => finish(false);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf(0x0a);
      if (end === -1) {
        if (received.length > MAX_TOKEN_LINE) finish(false);
        return;
      }
      socket.pause();
      const rest = received.subarray(end + 1);
      if (rest.length > 0) socket.unshift(rest);
      finish(sameToken(received.subarray(0, end), token));
    };
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.on('error', () => undefined);
  });
}

function sameToken(line: Buffer, token: string): boolean {
  const expected = Buffer.from(token);
  return line.length === expected.length && timingSafeEqual(line, expected);
}
