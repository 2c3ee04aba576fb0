#!/usr/bin/env node
import { availableParallelism } from 'node:os';

// Compression runs on libuv's thread pool (4 threads unless told otherwise); size it to the
// machine before the first I/O so every core can compress.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, availableParallelism()));

const { main } = await import('../dist/engine/cli.js');
process.exitCode = await main(process.argv.slice(2));
