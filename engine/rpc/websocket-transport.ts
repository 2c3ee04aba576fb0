/** The engine over a WebSocket, one WireMessage per text frame: the browser console's API. */
import { WebSocket, type RawData } from 'ws';
import { connectClient } from './connection.js';
import type { Engine } from './dispatch.js';

/** Close codes of RFC 6455 used here. */
const UNSUPPORTED_DATA = 1003;
const INVALID_PAYLOAD = 1007;

/** Serves one client; the connection ends when the socket closes. */
export function serveWebSocket(engine: Engine, socket: WebSocket): void {
  const connection = connectClient(
    engine,
    (message) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    },
    (error) => socket.close(INVALID_PAYLOAD, error.message.slice(0, 120)),
  );
  socket.on('message', (data: RawData, isBinary: boolean) => {
    if (isBinary) socket.close(UNSUPPORTED_DATA, 'text frames only');
    else connection.receive(rawText(data));
  });
  socket.on('close', () => connection.close());
  // A client that vanished mid-frame; 'close' follows and ends the connection.
  socket.on('error', () => {});
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return Buffer.from(data).toString('utf8');
}
