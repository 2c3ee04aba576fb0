/**
 * streamOptimized VMDK grains: zlib-wrapped deflate (RFC 1950). A grain that cannot shrink is
 * still a zlib stream, but of stored blocks (level 0), which costs no compression time.
 */
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import { looksIncompressible } from './compressibility.js';
import type { Compress } from './ordered-compressor.js';

const deflateAsync = promisify(deflate);

/**
 * zlib level 4. Measured on an ext4 image of /usr/bin, /usr/share/doc and /usr/lib (1.2 GB, 17576
 * non-zero grains) against qemu-img's streamOptimized output (zlib level 6): level 1 made 8.8%
 * more, 2 made 7.2%, 3 made 6.1%, 4 made 4.2%, at 1.5 times level 1's time. Level 4 is the
 * fastest within 5% of qemu-img.
 */
export const STREAM_COMPRESSION_LEVEL = 4;

export const compressGrain: Compress = (grain) =>
  deflateAsync(grain, { level: looksIncompressible(grain) ? 0 : STREAM_COMPRESSION_LEVEL });
