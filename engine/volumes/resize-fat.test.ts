/**
 * What only the native FAT resize does: keep its FATs when they map every cluster, grow them
 * (moving the data area whole) when not, stop at the type's cluster limit, clear FAT entries past
 * a shrunk end, and refuse to cut off a cluster in use.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bash, cachedImage, FIXTURE_ROOT } from '../../test/fixtures/cache.js';
import { parseFatBoot } from '../filesystems/fat-boot.js';
import { detectFilesystem } from '../filesystems/detect.js';
import { openFileSource } from '../io/file-source.js';
import type { BlockSource } from '../io/source.js';
import { checkResize, resizeFilesystem, type ResizedFilesystem } from './resize-filesystem.js';

const MIB = 1024 * 1024;

/** What fsck.fat -v says, after failing the test on any finding. */
interface FsckFacts {
  dataStart: number;
  sectorsPerFat: number;
  totalSectors: number;
}

async function fsck(image: string): Promise<FsckFacts> {
  const text = await bash(`fsck.fat -v -n '${image}'`);
  expect(text).not.toMatch(/wrong|differ|invalid|bad cluster chain/i);
  const number = (pattern: RegExp): number => Number(pattern.exec(text)?.[1]);
  return {
    dataStart: number(/Data area starts at byte (\d+)/),
    sectorsPerFat: number(/= (\d+) sectors\)/),
    totalSectors: number(/(\d+) sectors total/),
  };
}

function mtype(image: string, file: string): Promise<string> {
  return bash(`MTOOLS_SKIP_CHECK=1 mtype -i '${image}' '${file}' | sha256sum`);
}

/**
 * FAT16 with 1 KiB clusters, a 10 MB file written first and deleted after late.txt was written
 * behind it: late.txt holds the highest cluster in use.
 */
function fatWithLateFile(): Promise<string> {
  return cachedImage('resize-fat-late', (image, work) =>
    bash(
      `truncate -s 16M ${image}
      mkfs.fat -F 16 -s 2 -n LATE ${image} > /dev/null
      head -c 10000000 /dev/zero | tr '\\0' 'f' > filler
      seq 1 3000 > late.txt
      export MTOOLS_SKIP_CHECK=1
      mcopy -i ${image} filler ::/filler
      mcopy -i ${image} late.txt ::/late.txt
      mdel -i ${image} ::/filler`,
      work,
    ),
  );
}

/** FAT12 with 512-byte clusters, bad blocks near its end and a file near its start. */
function fat12WithBadEnd(): Promise<string> {
  return cachedImage('resize-fat12-bad-end', (image, work) =>
    bash(
      `printf '%s\\n' 1900 1901 1950 > bad.txt
      truncate -s 2M ${image}
      mkfs.fat -F 12 -s 1 -l bad.txt -n BADEND ${image} > /dev/null
      seq 1 20000 > numbers.txt
      MTOOLS_SKIP_CHECK=1 mcopy -i ${image} numbers.txt ::/numbers.txt`,
      work,
    ),
  );
}

/** FAT32 with fewer clusters than the type's minimum: mkfs.fat makes it when told to. */
function smallFat32(): Promise<string> {
  return cachedImage('resize-fat32-small', (image) =>
    bash(`truncate -s 16M ${image} && mkfs.fat -F 32 -s 1 -n SMALL32 ${image} > /dev/null 2>&1`),
  );
}

describe('native FAT resize', () => {
  let tempDir: string;
  const open: BlockSource[] = [];

  beforeEach(async () => {
    tempDir = await mkdtemp(join(FIXTURE_ROOT, 'resize-fat-'));
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((source) => source.close()));
    await rm(tempDir, { recursive: true, force: true });
  });

  async function resize(volume: BlockSource, newSize: number): Promise<ResizedFilesystem> {
    const detection = (await detectFilesystem(volume))!;
    const used = await detection.driver.usedRanges!(volume, detection.filesystem);
    return resizeFilesystem({
      volume,
      filesystem: detection.filesystem,
      used,
      newSize,
      tempDir,
    });
  }

  async function source(image: string): Promise<BlockSource> {
    const volume = await openFileSource(image);
    open.push(volume);
    return volume;
  }

  async function copyPath(): Promise<string> {
    const names = (await readdir(tempDir)).filter((name) => name.startsWith('ferry-resize-'));
    expect(names).toHaveLength(1);
    return join(tempDir, names[0]!);
  }

  it('refuses to cut off the highest cluster in use, and shrinks to just past it', async () => {
    const image = await fatWithLateFile();
    const volume = await source(image);
    const facts = await fsck(image);
    const chain = await bash(`MTOOLS_SKIP_CHECK=1 mshowfat -i '${image}' ::/late.txt`);
    const lastCluster = Math.max(...[...chain.matchAll(/\d+/g)].map((m) => Number(m[0])));
    const minimum = facts.dataStart + (lastCluster - 1) * 1024;

    await expect(resize(volume, 8 * MIB)).rejects.toMatchObject({
      code: 'LAYOUT_REFUSED',
      message: expect.stringContaining(`(${minimum} bytes, says cluster ${lastCluster} in use`),
    });
    expect(await readdir(tempDir)).toEqual([]);
    const detection = (await detectFilesystem(volume))!;
    const check = await checkResize(detection.filesystem, 0, volume.size, volume);
    expect(check).toMatchObject({ resizer: 'native', minimumSize: minimum, canShrink: true });

    const result = await resize(volume, minimum);
    const copy = await copyPath();
    expect((await fsck(copy)).totalSectors * 512).toBe(minimum);
    expect(await mtype(copy, '::/late.txt')).toBe(await mtype(image, '::/late.txt'));
    await result.dispose();
  });

  it('keeps its FATs when shrinking and when growing back within them', async () => {
    const image = await fatWithLateFile();
    const before = await fsck(image);
    const kept = { dataStart: before.dataStart, sectorsPerFat: before.sectorsPerFat };
    const shrunk = await resize(await source(image), 12 * MIB);
    const shrunkCopy = await copyPath();
    expect(await fsck(shrunkCopy)).toEqual({ ...kept, totalSectors: (12 * MIB) / 512 });

    // The shrunk copy is a source like any other; its FATs still map 16 MiB of clusters.
    const grown = await resize(shrunk.volume, 15 * MIB);
    const grownCopy = (await readdir(tempDir))
      .map((name) => join(tempDir, name))
      .find((path) => path !== shrunkCopy)!;
    expect(await fsck(grownCopy)).toEqual({ ...kept, totalSectors: (15 * MIB) / 512 });
    expect(await mtype(grownCopy, '::/late.txt')).toBe(await mtype(image, '::/late.txt'));
    await grown.dispose();
    await shrunk.dispose();
  });

  it('grows its FATs when they cannot map the new clusters, keeping the data area aligned', async () => {
    const image = await fatWithLateFile();
    const before = await fsck(image);
    const result = await resize(await source(image), 40 * MIB);
    const copy = await copyPath();
    const after = await fsck(copy);
    expect(after.sectorsPerFat).toBeGreaterThan(before.sectorsPerFat);
    expect((after.dataStart - before.dataStart) % 1024).toBe(0);
    expect(after.totalSectors).toBe((40 * MIB) / 512);
    expect(await mtype(copy, '::/late.txt')).toBe(await mtype(image, '::/late.txt'));
    expect(result.warnings).toEqual([]);
    await result.dispose();
  });

  it('stops at the most clusters its type can have, and says so', async () => {
    const image = await fatWithLateFile();
    const result = await resize(await source(image), 100 * MIB);
    const after = await fsck(await copyPath());
    const clusters = (after.totalSectors * 512 - after.dataStart) / 1024;
    expect(clusters).toBe(65524);
    expect(result.filesystemSize).toBe(after.totalSectors * 512);
    expect(result.volume.size).toBe(100 * MIB);
    expect(result.warnings).toEqual([expect.stringMatching(/at most 65524 clusters/)]);
    await result.dispose();
  });

  it('clears bad-cluster marks past a shrunk end and keeps every entry before it', async () => {
    const image = await fat12WithBadEnd();
    const volume = await source(image);
    const geometry = parseFatBoot(await volume.read(0, 512), image)!;
    // An odd first cleared entry: FAT12 packs it into the high half of a byte it shares.
    const kept = 1601;
    const result = await resize(volume, geometry.dataStart + kept * geometry.clusterSize);
    const copy = await copyPath();
    await fsck(copy);
    expect(await mtype(copy, '::/numbers.txt')).toBe(await mtype(image, '::/numbers.txt'));

    const resized = await openFileSource(copy);
    open.push(resized);
    const clearedBit = (kept + 2) * 12;
    for (let fat = 0; fat < geometry.fatCount; fat++) {
      const at = geometry.fatStart + fat * geometry.fatSize;
      const original = await volume.read(at, geometry.fatSize);
      const fatBytes = await resized.read(at, geometry.fatSize);
      const whole = Math.floor(clearedBit / 8);
      expect(fatBytes.subarray(0, whole).equals(original.subarray(0, whole))).toBe(true);
      expect(fatBytes[whole]).toBe(original[whole]! & 0x0f);
      expect(fatBytes.subarray(whole + 1).every((byte) => byte === 0)).toBe(true);
      // The source really had bad-cluster marks there to clear.
      expect(original.subarray(whole + 1).some((byte) => byte !== 0)).toBe(true);
    }
    await result.dispose();
  });

  it('grows a FAT32 volume made with fewer clusters than its type asks for', async () => {
    const image = await smallFat32();
    const before = await fsck(image);
    expect((before.totalSectors * 512 - before.dataStart) / 512).toBeLessThan(65525);
    const result = await resize(await source(image), 24 * MIB);
    expect((await fsck(await copyPath())).totalSectors).toBe((24 * MIB) / 512);
    await result.dispose();
  });
});
