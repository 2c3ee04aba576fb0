/**
 * qcow2's cluster compression: raw deflate with a 4 KiB window (windowBits -12), QEMU's choice,
 * skipped for clusters that cannot shrink (they are stored as they are, as QEMU stores them).
 */
import { promisify } from 'node:util';
import { deflateRaw } from 'node:zlib';
import { looksIncompressible } from './compressibility.js';
import type { Compress } from './ordered-compressor.js';

const deflateRawAsync = promisify(deflateRaw);

export const compressQcow2Cluster: Compress = async (data) =>
  looksIncompressible(data) ? null : deflateRawAsync(data, { windowBits: 12, memLevel: 9 });
