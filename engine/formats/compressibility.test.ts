import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { looksIncompressible } from './compressibility.js';

const GRAIN = 64 * 1024;

function repeatToGrain(source: Buffer): Buffer {
  const out = Buffer.alloc(GRAIN);
  for (let at = 0; at < GRAIN; at += source.length) source.copy(out, at);
  return out;
}

describe('looksIncompressible', () => {
  it('says yes for random and for already-compressed data', () => {
    expect(looksIncompressible(randomBytes(GRAIN))).toBe(true);
    const compressed = deflateSync(readFileSync(process.execPath).subarray(0, 4 * GRAIN), {
      level: 9,
    });
    expect(looksIncompressible(compressed.subarray(0, GRAIN))).toBe(true);
  });

  it('says no for text, executables and sparse metadata, which deflate shrinks', () => {
    const text = repeatToGrain(readFileSync('/etc/services'));
    const binary = readFileSync(process.execPath).subarray(GRAIN, 2 * GRAIN);
    const metadata = Buffer.alloc(GRAIN);
    for (let i = 0; i < GRAIN; i += 256) metadata.writeUInt32LE(i * 7919, i);
    for (const block of [text, binary, metadata]) {
      expect(looksIncompressible(block)).toBe(false);
      expect(deflateSync(block).length).toBeLessThan(GRAIN * 0.9);
    }
  });

  it('leaves small blocks to the compressor', () => {
    expect(looksIncompressible(randomBytes(1024))).toBe(false);
  });
});
