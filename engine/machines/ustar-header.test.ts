import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sh } from '../../test/fixtures/cache.js';
import { paddingFor, ustarHeader } from './ustar-header.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-ustar-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ustarHeader', () => {
  it('writes sizes of 8 GiB and more in base-256, which GNU tar reads', async () => {
    const size = 2 ** 33 + 5;
    const file = join(dir, 'big-header.tar');
    await writeFile(file, ustarHeader('big.vmdk', size, 1_700_000_000));
    // Only the header is there, so tar lists the member and then stops at the missing data.
    const result = await execa('tar', ['tvf', file], { reject: false, env: { LC_ALL: 'C' } });
    expect(result.stdout).toContain(String(size));
    expect(result.stdout).toContain('big.vmdk');
  });

  it('writes the octal fields and checksum that tar checks', async () => {
    const file = join(dir, 'small.tar');
    const header = ustarHeader('héllo.txt', 3, 1_700_000_000);
    expect(header.length).toBe(512);
    expect(header.subarray(257, 263).toString('latin1')).toBe('ustar\0');
    await writeFile(file, Buffer.concat([header, Buffer.from('abc'), Buffer.alloc(509 + 1024)]));
    const listing = await sh('tar', ['tvf', file, '--utc', '--quoting-style=literal']);
    expect(listing).toMatch(/^-rw-r--r-- 0\/0\s+3 2023-11-14 22:13 héllo.txt$/);
  });

  it('refuses names tar cannot hold or an OVA must not have', () => {
    for (const name of ['', 'a/b', 'a\\b', 'new\nline', 'x'.repeat(101), 'é'.repeat(51)]) {
      expect(() => ustarHeader(name, 1, 0)).toThrow(/cannot be a file name inside an OVA/);
    }
    expect(ustarHeader('é'.repeat(50), 1, 0).subarray(0, 100).toString('utf8')).toBe(
      'é'.repeat(50),
    );
  });

  it('pads members to whole blocks', () => {
    expect(paddingFor(0).length).toBe(0);
    expect(paddingFor(1).length).toBe(511);
    expect(paddingFor(512).length).toBe(0);
    expect(paddingFor(513).length).toBe(511);
  });
});
