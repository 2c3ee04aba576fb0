import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FerryError } from '../../shared/errors.js';
import { alignedReader, type PositionalRead } from './aligned-reads.js';

/**
 * A stand-in for a raw device that refuses unaligned reads as /dev/rdiskN and
 * \\.\PhysicalDriveN do (EINVAL / ERROR_INVALID_PARAMETER). A fake is the only way to hold the
 * code to those rules on Linux, where no such device exists; everything else in engine/io is
 * tested against real files and loop devices.
 */
function rawDevice(disk: Buffer, sectorSize: number, options: { mostPerCall?: number } = {}) {
  const calls: { position: number; length: number }[] = [];
  const read: PositionalRead = async (buffer, bufferOffset, length, position) => {
    calls.push({ position, length });
    if (position % sectorSize !== 0 || length % sectorSize !== 0) {
      throw Object.assign(new Error(`EINVAL: unaligned read of ${length} at ${position}`), {
        code: 'EINVAL',
      });
    }
    const available = Math.max(
      0,
      Math.min(length, disk.length - position, options.mostPerCall ?? Infinity),
    );
    disk.copy(buffer, bufferOffset, position, position + available);
    return { bytesRead: available };
  };
  return { read, calls };
}

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('alignedReader', () => {
  it.each([512, 4096])(
    'returns exactly the bytes asked for at any offset (%i-byte sectors)',
    async (sectorSize) => {
      const disk = randomBytes(4 * 2 ** 20);
      const device = rawDevice(disk, sectorSize);
      const read = alignedReader(device.read, { sectorSize, maxRead: 256 * 1024, where: 'fake' });
      const next = random(sectorSize);
      for (let i = 0; i < 300; i++) {
        const offset = Math.floor(next() * disk.length);
        const length = Math.floor(next() * Math.min(disk.length - offset, 600 * 1024));
        expect((await read(offset, length)).equals(disk.subarray(offset, offset + length))).toBe(
          true,
        );
      }
      expect(device.calls.every((call) => call.length <= 256 * 1024)).toBe(true);
    },
  );

  it('reads the first and last bytes and whole-sector ranges without widening them', async () => {
    const disk = randomBytes(64 * 1024);
    const device = rawDevice(disk, 512);
    const read = alignedReader(device.read, { sectorSize: 512, where: 'fake' });
    expect((await read(0, 1)).equals(disk.subarray(0, 1))).toBe(true);
    expect((await read(disk.length - 1, 1)).equals(disk.subarray(disk.length - 1))).toBe(true);
    device.calls.length = 0;
    expect((await read(1024, 2048)).equals(disk.subarray(1024, 3072))).toBe(true);
    expect(device.calls).toEqual([{ position: 1024, length: 2048 }]);
  });

  it('rounds the largest read down to whole sectors', async () => {
    const disk = randomBytes(256 * 1024);
    const device = rawDevice(disk, 4096);
    const read = alignedReader(device.read, { sectorSize: 4096, maxRead: 10_000, where: 'fake' });
    expect((await read(100, 200_000)).equals(disk.subarray(100, 200_100))).toBe(true);
    expect(new Set(device.calls.slice(0, -1).map((call) => call.length))).toEqual(new Set([8192]));
  });

  it('keeps asking in whole sectors when the device answers with less than was asked', async () => {
    const disk = randomBytes(1 * 2 ** 20);
    const device = rawDevice(disk, 512, { mostPerCall: 3 * 512 + 100 });
    const read = alignedReader(device.read, { sectorSize: 512, where: 'fake' });
    expect((await read(777, 500_000)).equals(disk.subarray(777, 500_777))).toBe(true);
  });

  it('throws SOURCE_TRUNCATED when the device has nothing more to give', async () => {
    const device = rawDevice(randomBytes(8192), 512);
    const read = alignedReader(device.read, { sectorSize: 512, where: 'fake' });
    await expect(read(8000, 1000)).rejects.toMatchObject({
      code: 'SOURCE_TRUNCATED',
      where: 'fake',
    });
  });

  it('refuses a sector size that is not a positive whole number', () => {
    const device = rawDevice(Buffer.alloc(0), 512);
    expect(() => alignedReader(device.read, { sectorSize: 0, where: 'fake' })).toThrow(FerryError);
  });
});
