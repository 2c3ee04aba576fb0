/**
 * The engine over a pair of streams, one WireMessage per line (NDJSON): how Electron's main
 * process talks to the engine host it spawned.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { connectClient } from './connection.js';
import type { Engine } from './dispatch.js';

export interface StdioServer {
  /** Resolves when the input has ended or `stop` was called, and what came before is answered. */
  done: Promise<void>;
  stop(): void;
}

export function serveStdio(
  engine: Engine,
  input: Readable,
  output: Writable,
  log: (line: string) => void = (line) => void process.stderr.write(`${line}\n`),
): StdioServer {
  const lines = createInterface({ input, crlfDelay: Infinity });
  const connection = connectClient(
    engine,
    (message) => void output.write(`${JSON.stringify(message)}\n`),
    (error) => log(`ferry engine: ${error.toLine()}`),
  );
  // A parent that went away closes the pipe under us; that is the end of the session.
  output.on('error', () => lines.close());
  lines.on('line', (line) => {
    if (line.trim() !== '') connection.receive(line);
  });
  const done = new Promise<void>((resolve) =>
    lines.once('close', () => {
      void connection.idle().then(() => {
        connection.close();
        resolve();
      });
    }),
  );
  return { done, stop: () => lines.close() };
}
