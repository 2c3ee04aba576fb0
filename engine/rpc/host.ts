/**
 * The engine host: what Electron's main process spawns (process.execPath with
 * ELECTRON_RUN_AS_NODE=1, elevated when a disk is read) and talks to over stdin/stdout in
 * NDJSON. It ends when stdin closes or on SIGINT/SIGTERM, after cancelling running jobs.
 */
import { availableParallelism } from 'node:os';
import { createEngine } from './dispatch.js';
import { serveStdio } from './stdio-transport.js';

// Compression runs on libuv's thread pool, sized at its first use: size it to the machine now.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism()));

// stdout carries the protocol; anything printed by accident goes to stderr instead.
console.log = console.info = console.debug = console.error;

const engine = createEngine();
const server = serveStdio(engine, process.stdin, process.stdout);
process.once('SIGINT', server.stop);
process.once('SIGTERM', server.stop);
await server.done;
await engine.close();
process.stdin.destroy();
