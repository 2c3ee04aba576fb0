import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bash, cachedImage, sh } from '../../test/fixtures/cache.js';
import { resolveMachineSpec } from './machine-spec.js';
import { writeOva } from './ova.js';
import { buildOvf } from './ovf.js';
import { GUESTS } from '../../test/fixtures/machines.js';

/** A 6 MiB disk of mixed data and zeros, made streamOptimized by qemu-img. */
async function streamVmdk(): Promise<string> {
  return cachedImage('machines-stream-vmdk', async (target, workdir) => {
    await bash(
      `head -c 3145728 /dev/urandom > raw && truncate -s 6M raw &&
       printf 'marker' | dd of=raw bs=1 seek=5000000 conv=notrunc status=none &&
       qemu-img convert -f raw -O vmdk -o subformat=streamOptimized raw "${target}"`,
      workdir,
    );
  });
}

let dir: string;
let disk: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-ova-'));
  disk = await streamVmdk();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function descriptor(diskName: string): Promise<string> {
  const spec = resolveMachineSpec('ovf', {
    name: 'web01',
    guest: GUESTS.debian12!,
    firmware: 'uefi',
    disk: { path: diskName, format: 'vmdk-stream', virtualSize: 6 * 2 ** 20 },
  });
  return buildOvf(spec, { version: '1.0', diskFileSize: (await stat(disk)).size });
}

describe('writeOva', () => {
  it('stores the descriptor, the disk, then the manifest, as tar lists them', async () => {
    const dest = join(dir, 'web01.ova');
    const text = await descriptor('web01-disk1.vmdk');
    const result = await writeOva(dest, { name: 'web01.ovf', text }, [
      { name: 'web01-disk1.vmdk', path: disk },
    ]);
    expect(result.path).toBe(dest);
    expect(existsSync(`${dest}.partial`)).toBe(false);

    const listing = (await sh('tar', ['tvf', dest])).split('\n');
    const members = listing.map((line) => {
      const fields = line.trim().split(/\s+/);
      return { size: Number(fields[2]), name: fields.at(-1) };
    });
    expect(members.map((m) => m.name)).toEqual(['web01.ovf', 'web01-disk1.vmdk', 'web01.mf']);
    expect(members[0]!.size).toBe(Buffer.byteLength(text));
    expect(members[1]!.size).toBe((await stat(disk)).size);
    expect(members[2]!.size).toBe(Buffer.byteLength(result.manifest));
    // ustar: 512-byte header per member, data padded to 512, two zero blocks at the end.
    const expected = members.reduce((sum, m) => sum + 512 + Math.ceil(m.size / 512) * 512, 1024);
    expect((await stat(dest)).size).toBe(expected);
  });

  it('writes a manifest that sha256sum -c accepts, over files identical to the originals', async () => {
    const dest = join(dir, 'check.ova');
    const text = await descriptor('check-disk1.vmdk');
    const result = await writeOva(dest, { name: 'check.ovf', text }, [
      { name: 'check-disk1.vmdk', path: disk },
    ]);
    const out = join(dir, 'check-out');
    await mkdir(out);
    await sh('tar', ['xf', dest, '-C', out]);
    expect((await readdir(out)).sort()).toEqual(['check-disk1.vmdk', 'check.mf', 'check.ovf']);
    expect(result.manifest).toMatch(
      /^SHA256\(check\.ovf\)= [0-9a-f]{64}\nSHA256\(check-disk1\.vmdk\)= [0-9a-f]{64}\n$/,
    );
    const verdict = await sh('sha256sum', ['-c', 'check.mf'], { cwd: out });
    expect(verdict.split('\n')).toEqual(['check.ovf: OK', 'check-disk1.vmdk: OK']);
    expect(readFileSync(join(out, 'check.ovf'), 'utf8')).toBe(text);
    await sh('cmp', [join(out, 'check-disk1.vmdk'), disk]);
    await sh('qemu-img', ['check', join(out, 'check-disk1.vmdk')]);
  });

  it('leaves nothing behind when cancelled or when a disk is missing', async () => {
    const dest = join(dir, 'gone.ova');
    const controller = new AbortController();
    controller.abort();
    await expect(
      writeOva(dest, { name: 'gone.ovf', text: '<x/>' }, [{ name: 'd.vmdk', path: disk }], {
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(
      writeOva(dest, { name: 'gone.ovf', text: '<x/>' }, [
        { name: 'd.vmdk', path: join(dir, 'nope') },
      ]),
    ).rejects.toMatchObject({ code: 'IO' });
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.partial`)).toBe(false);
  });

  it('refuses member names an OVA cannot hold', async () => {
    const dest = join(dir, 'names.ova');
    const pack = (ovf: string, file: string): Promise<unknown> =>
      writeOva(dest, { name: ovf, text: '<x/>' }, [{ name: file, path: disk }]);
    await expect(pack('a.xml', 'd.vmdk')).rejects.toThrow(/descriptor name/);
    await expect(pack('a.ovf', 'sub/d.vmdk')).rejects.toMatchObject({ code: 'USAGE' });
    await expect(pack('a.ovf', `${'x'.repeat(101)}.vmdk`)).rejects.toMatchObject({ code: 'USAGE' });
    await expect(pack('a.ovf', 'A.OVF')).rejects.toThrow(/same name/);
    await expect(pack('a.ovf', 'a.mf')).rejects.toThrow(/same name/);
    expect(existsSync(`${dest}.partial`)).toBe(false);
  });
});
