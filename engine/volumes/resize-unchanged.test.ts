/**
 * A partition whose filesystem cannot follow it because its tool is not installed (resize2fs and
 * mkswap, hidden here). It may grow, its filesystem keeping its size, and never shrink below
 * that size.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bash, cachedImage, FIXTURE_ROOT } from '../../test/fixtures/cache.js';
import { detectFilesystem } from '../filesystems/detect.js';
import type { DetectedFilesystem } from '../filesystems/types.js';
import { openFileSource } from '../io/file-source.js';
import type { BlockSource } from '../io/source.js';
import { totalLength, type ByteRange } from '../ranges.js';
import { checkResize, resizeFilesystem } from './resize-filesystem.js';

vi.mock('./resize-tool.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./resize-tool.js')>();
  return {
    ...original,
    findTool: async (name: string) => (HIDDEN.has(name) ? null : original.findTool(name)),
  };
});

const MIB = 1024 * 1024;
const HIDDEN = new Set(['resize2fs', 'mkswap']);

/** ext4 of 16 MiB at the start of a 24 MiB partition. */
function extInLargerPartition(): Promise<string> {
  return cachedImage('resize-unchanged-ext4', (image, work) =>
    bash(
      `mkdir files && seq 1 100000 > files/numbers.txt
      truncate -s 24M ${image}
      mkfs.ext4 -q -d files ${image} 16M`,
      work,
    ),
  );
}

function swapImage(): Promise<string> {
  return cachedImage('resize-unchanged-swap', (image) =>
    bash(`truncate -s 8M ${image} && mkswap -L ferryswap ${image} > /dev/null`),
  );
}

interface Opened {
  volume: BlockSource;
  filesystem: DetectedFilesystem;
  used: ByteRange[];
}

describe('a partition whose filesystem keeps its size', () => {
  let tempDir: string;
  let opened: Opened;

  beforeEach(async () => {
    tempDir = await mkdtemp(join(FIXTURE_ROOT, 'resize-unchanged-'));
  });

  afterEach(async () => {
    await opened.volume.close();
    // No temporary copy was ever needed.
    expect(await readdir(tempDir)).toEqual([]);
    await rm(tempDir, { recursive: true, force: true });
  });

  async function open(image: string): Promise<Opened> {
    const volume = await openFileSource(image);
    const detection = (await detectFilesystem(volume))!;
    const used = detection.driver.usedRanges
      ? await detection.driver.usedRanges(volume, detection.filesystem)
      : [{ start: 0, length: volume.size }];
    opened = { volume, filesystem: detection.filesystem, used };
    return opened;
  }

  function resize(newSize: number): ReturnType<typeof resizeFilesystem> {
    return resizeFilesystem({ ...opened, newSize, tempDir });
  }

  it('grows without resize2fs, reading the source then zeros, and says how to extend it', async () => {
    const { volume, filesystem, used } = await open(await extInLargerPartition());
    const check = await checkResize(filesystem, totalLength(used), volume.size);
    expect(check).toMatchObject({ resizer: null, canGrow: false, canShrink: false });
    expect(check.warning).toMatch(/resize2fs is not installed \(package e2fsprogs\)/);

    const result = await resize(40 * MIB);
    expect(result).toMatchObject({ filesystemSize: 16 * MIB, tempBytes: 0, used });
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /resize2fs is not installed.*keeps its 16 MiB.*inside the guest run `resize2fs`/,
      ),
    ]);
    expect(result.volume.size).toBe(40 * MIB);
    const head = await result.volume.read(0, 64 * 1024);
    expect(head.equals(await volume.read(0, 64 * 1024))).toBe(true);
    const across = await result.volume.read(24 * MIB - 4096, 8192);
    expect(across.subarray(0, 4096).equals(await volume.read(24 * MIB - 4096, 4096))).toBe(true);
    expect(across.subarray(4096).every((byte) => byte === 0)).toBe(true);
    await result.dispose();
  });

  it('shrinks the partition down to its filesystem without a tool, and no further', async () => {
    await open(await extInLargerPartition());
    const result = await resize(16 * MIB);
    expect(result).toMatchObject({ filesystemSize: 16 * MIB, tempBytes: 0, warnings: [] });
    expect(result.volume.size).toBe(16 * MIB);

    await expect(resize(12 * MIB)).rejects.toMatchObject({
      code: 'TOOL_MISSING',
      message: 'resize2fs is not installed to shrink the ext4 filesystem',
      hint: expect.stringMatching(/install e2fsprogs.*at least 16 MiB/),
    });
  });

  it('grows a swap partition without mkswap, which keeps its size, and will not shrink it', async () => {
    const { volume, filesystem, used } = await open(await swapImage());
    const check = await checkResize(filesystem, totalLength(used), volume.size);
    expect(check).toMatchObject({ resizer: null, minimumSize: filesystem.size, canShrink: false });
    expect(check.warning).toMatch(/mkswap is not installed \(package util-linux\)/);

    const result = await resize(12 * MIB);
    expect(result.warnings).toEqual([expect.stringMatching(/mkswap is not installed.*mkswap -U/)]);
    expect(result.volume.size).toBe(12 * MIB);

    await expect(resize(4 * MIB)).rejects.toMatchObject({
      code: 'TOOL_MISSING',
      message: 'mkswap is not installed to shrink the swap filesystem',
    });
  });

  it('refuses a size that is not one', async () => {
    await open(await swapImage());
    await expect(resize(-1)).rejects.toMatchObject({ code: 'LAYOUT_REFUSED' });
    await expect(resize(1.5)).rejects.toMatchObject({ code: 'LAYOUT_REFUSED' });
  });
});
