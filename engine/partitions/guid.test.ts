import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { FerryError } from '../../shared/errors.js';
import { sgdiskImage } from '../../test/fixtures/tables.js';
import { sfdiskJson } from '../../test/fixtures/truth.js';
import { isZeroGuid, readGuid, writeGuid } from './guid.js';

const DISK_GUID = '0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9';

describe('guid', () => {
  it('reads the disk GUID sgdisk wrote, as sfdisk reports it', async () => {
    const image = await sgdiskImage('guid-gpt', 4, ['-o', '-U', DISK_GUID, '-n', '1:0:+1M']);
    const header = (await readFile(image)).subarray(512, 1024);
    expect(readGuid(header, 56)).toBe(DISK_GUID.toLowerCase());
    expect((await sfdiskJson(image)).id).toBe(DISK_GUID);
  });

  it('writes the mixed-endian form it reads', () => {
    const bytes = Buffer.alloc(20);
    writeGuid(DISK_GUID, bytes, 2);
    expect(bytes.subarray(2, 18).toString('hex')).toBe('3d2c1b0a5f4e7160' + '8293a4b5c6d7e8f9');
    expect(readGuid(bytes, 2)).toBe(DISK_GUID.toLowerCase());
    expect(isZeroGuid(bytes, 2)).toBe(false);
    expect(isZeroGuid(Buffer.alloc(16), 0)).toBe(true);
  });

  it('refuses a string that is no GUID with a FerryError', () => {
    expect(() => writeGuid('not-a-guid', Buffer.alloc(16), 0)).toThrow(FerryError);
  });
});
