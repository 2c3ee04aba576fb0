/**
 * Each filesystem family resized for real: images made by mkfs and the family's own file tools,
 * resized on a temporary copy, then judged by the family's checker, its size reader and its file
 * reader, with the source's bytes hashed before and after.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FerryError } from '../../shared/errors.js';
import { bash, cachedImage, FIXTURE_ROOT } from '../../test/fixtures/cache.js';
import { detectFilesystem } from '../filesystems/detect.js';
import type { DetectedFilesystem } from '../filesystems/types.js';
import { openFileSource } from '../io/file-source.js';
import type { BlockSource } from '../io/source.js';
import { totalLength, type ByteRange } from '../ranges.js';
import { checkResize, resizeFilesystem, type ResizedFilesystem } from './resize-filesystem.js';

const MIB = 1024 * 1024;
const EMPTY_SHA256 = createHash('sha256').digest('hex');

/** Files every image holds, in a tree where the family's tools can make one. */
const FILES = String.raw`
mkdir -p files/docs/deep
head -c 2500000 /dev/urandom > files/random.bin
{ yes 'ferry resize line' || true; } | head -c 400000 > files/docs/deep/lines.txt
cp /etc/services files/docs/services
`;

interface Family {
  name: string;
  image(): Promise<string>;
  /**
   * Bash run with $IMG set: the family's checker (read-only; a finding fails the script), then
   * "size N", the filesystem's size as its own tools say, then a sha256sum line per file as the
   * family's file reader reads it. One process per judgement keeps the suite fast.
   */
  judge: string;
  /** How far below the partition's end a grown filesystem may stop (its allocation unit). */
  slack: number;
  grow: number;
  shrink: number;
  tooSmall: number;
}

function extFamily(type: 'ext2' | 'ext3' | 'ext4'): Family {
  return {
    name: type,
    image: () =>
      cachedImage(`resize-${type}`, (image, work) =>
        bash(
          `${FILES}\ntruncate -s 32M ${image}\nmkfs.${type} -q -L ${type} -d files ${image}`,
          work,
        ),
      ),
    judge: String.raw`
      e2fsck -fn "$IMG" > /dev/null 2>&1
      dumpe2fs -h "$IMG" 2>/dev/null |
        awk -F: '/^Block count/ { c = $2 } /^Block size/ { s = $2 } END { printf "size %d\n", c * s }'
      for f in /random.bin /docs/deep/lines.txt /docs/services; do
        debugfs -R "cat $f" "$IMG" 2>/dev/null | sha256sum
      done`,
    slack: 4096,
    grow: 48 * MIB,
    shrink: 20 * MIB,
    tooSmall: 2 * MIB,
  };
}

const ntfs: Family = {
  name: 'ntfs',
  image: () =>
    cachedImage('resize-ntfs', (image, work) =>
      bash(
        `${FILES}
        truncate -s 32M ${image}
        mkntfs -q -F -Q -L resized ${image}
        ntfscp -q ${image} files/random.bin random.bin
        ntfscp -q ${image} files/docs/deep/lines.txt lines.txt
        ntfscp -q ${image} files/docs/services services`,
        work,
      ),
    ),
  // ntfsresize marks the volume for chkdsk, which the other ntfs-3g tools refuse without -f.
  // ntfsinfo counts clusters; the boot sector's sector count is checked beside it.
  judge: String.raw`
    ntfsfix -n "$IMG" > /dev/null
    ntfsinfo -m -f "$IMG" 2>/dev/null |
      awk -F: '/Volume Size in Clusters/ { n = $2 } /Cluster Size/ { c = $2 } END { printf "clusters %d\n", n * c }'
    echo "size $(( $(od -An -tu8 -j40 -N8 "$IMG") * $(od -An -tu2 -j11 -N2 "$IMG") ))"
    for f in random.bin lines.txt services; do ntfscat -f "$IMG" "$f" | sha256sum; done`,
  slack: 4096 + 512,
  grow: 48 * MIB,
  shrink: 16 * MIB,
  tooSmall: 4 * MIB,
};

function fatFamily(bits: 16 | 32): Family {
  // FAT16 with 1 KiB clusters (16,000 of them); FAT32 with 512-byte clusters (160,000).
  const make =
    bits === 16
      ? 'truncate -s 16M "$IMG"; mkfs.fat -F 16 -s 2'
      : 'truncate -s 80M "$IMG"; mkfs.fat -F 32 -s 1';
  return {
    name: `fat${bits}`,
    image: () =>
      cachedImage(`resize-fat${bits}`, (image, work) =>
        bash(
          `${FILES}
          IMG=${image}
          ${make} -n RESIZED "$IMG" > /dev/null
          export MTOOLS_SKIP_CHECK=1
          mmd -i "$IMG" ::/docs ::/docs/deep
          mcopy -i "$IMG" files/random.bin ::/random.bin
          mcopy -i "$IMG" files/docs/deep/lines.txt ::/docs/deep/lines.txt
          mcopy -i "$IMG" files/docs/services ::/docs/services`,
          work,
        ),
      ),
    // fsck.fat -n reports some findings (a wrong free count) without failing.
    judge: String.raw`
      check=$(fsck.fat -v -n "$IMG")
      if grep -qiE 'wrong|differ|invalid' <<< "$check"; then echo "$check" >&2; exit 1; fi
      sectors=$(sed -nE 's/^ *([0-9]+) sectors total/\1/p' <<< "$check")
      bps=$(sed -nE 's/^ *([0-9]+) bytes per logical sector/\1/p' <<< "$check")
      echo "size $(( sectors * bps ))"
      for f in ::/random.bin ::/docs/deep/lines.txt ::/docs/services; do
        MTOOLS_SKIP_CHECK=1 mcopy -n -i "$IMG" "$f" - | sha256sum
      done`,
    slack: bits === 16 ? 1024 : 512,
    grow: bits === 16 ? 40 * MIB : 120 * MIB,
    shrink: bits === 16 ? 8 * MIB : 48 * MIB,
    tooSmall: bits === 16 ? 2 * MIB : 20 * MIB,
  };
}

const FAMILIES: Family[] = [
  extFamily('ext4'),
  extFamily('ext3'),
  extFamily('ext2'),
  ntfs,
  fatFamily(16),
  fatFamily(32),
];

interface Judgement {
  size: number;
  /** NTFS: the clusters ntfsinfo counts, in bytes. */
  clusters: number | null;
  hashes: string[];
}

async function judge(family: Family, image: string): Promise<Judgement> {
  const output = await bash(`IMG='${image}'\n${family.judge}`);
  const number = (name: string): number | null => {
    const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(output);
    return match ? Number(match[1]) : null;
  };
  const hashes = [...output.matchAll(/^([0-9a-f]{64}) {2}-$/gm)].map((m) => m[1]!);
  // Three different files, none read as nothing (a reader that failed quietly).
  expect(new Set(hashes).size).toBe(3);
  expect(hashes).not.toContain(EMPTY_SHA256);
  return { size: number('size')!, clusters: number('clusters'), hashes };
}

async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** The minimum a refusal quotes: "(N bytes, says …)". */
function quotedMinimum(error: unknown): number {
  expect(error).toBeInstanceOf(FerryError);
  expect(error).toMatchObject({ code: 'LAYOUT_REFUSED' });
  const match = /\((\d+) bytes, says/.exec((error as FerryError).message);
  expect(match).not.toBeNull();
  return Number(match![1]);
}

describe.each(FAMILIES)('resizing $name', (family) => {
  let image: string;
  let volume: BlockSource;
  let filesystem: DetectedFilesystem;
  let used: ByteRange[];
  let hash: string;
  let original: Judgement;
  let tempDir: string;

  beforeAll(async () => {
    image = await family.image();
    hash = await sha256(image);
    original = await judge(family, image);
    volume = await openFileSource(image);
    const detection = await detectFilesystem(volume);
    if (!detection?.driver.usedRanges) throw new Error(`no ${family.name} in ${image}`);
    filesystem = detection.filesystem;
    used = await detection.driver.usedRanges(volume, filesystem);
  });

  afterAll(async () => {
    await volume.close();
    // The source is read-only, always: after every resize and refusal, its bytes are the same.
    expect(await sha256(image)).toBe(hash);
  });

  beforeEach(async () => {
    tempDir = await mkdtemp(join(FIXTURE_ROOT, `resize-${family.name}-`));
  });

  afterEach(async () => {
    await rm(tempDir, { recursive: true, force: true });
  });

  function resize(newSize: number, signal?: AbortSignal): Promise<ResizedFilesystem> {
    return resizeFilesystem({
      volume,
      filesystem,
      used,
      newSize,
      tempDir,
      ...(signal && { signal }),
    });
  }

  /** What every resized copy must be: checked clean, its new size, every file identical. */
  async function expectResized(result: ResizedFilesystem, newSize: number): Promise<void> {
    const names = await readdir(tempDir);
    expect(names).toHaveLength(1);
    const copy = join(tempDir, names[0]!);
    const copyStat = await stat(copy);
    expect(copyStat.size).toBe(newSize);
    expect(result.volume.size).toBe(newSize);

    const judged = await judge(family, copy);
    expect(judged.size).toBe(result.filesystemSize);
    if (judged.clusters !== null) {
      expect(judged.clusters).toBe(Math.floor(result.filesystemSize / 4096) * 4096);
    }
    expect(result.filesystemSize).toBeLessThanOrEqual(newSize);
    expect(judged.hashes).toEqual(original.hashes);

    expect(result.tempBytes).toBe(copyStat.blocks * 512);
    expect(result.tempBytes).toBeLessThan(newSize);
    const last = result.used[result.used.length - 1]!;
    expect(last.start + last.length).toBeLessThanOrEqual(newSize);
    expect(totalLength(result.used)).toBeGreaterThan(2500000);

    await result.dispose();
    expect(await readdir(tempDir)).toEqual([]);
  }

  it('grows, and the filesystem fills the partition', async () => {
    const result = await resize(family.grow);
    expect(result.filesystemSize).toBeGreaterThan(family.grow - family.slack);
    await expectResized(result, family.grow);
  });

  it('shrinks', async () => {
    const result = await resize(family.shrink);
    expect(result.filesystemSize).toBeGreaterThan(family.shrink - family.slack);
    await expectResized(result, family.shrink);
  });

  it('refuses to shrink below its minimum, quoting it, and shrinks to exactly that', async () => {
    const minimum = quotedMinimum(await resize(family.tooSmall).catch((error: unknown) => error));
    expect(minimum).toBeGreaterThan(family.tooSmall);
    expect(await readdir(tempDir)).toEqual([]);

    const check = await checkResize(filesystem, totalLength(used), volume.size, volume);
    expect(check.canShrink).toBe(true);
    // The estimate the sliders use never offers a size the tool then refuses.
    expect(check.minimumSize).toBeGreaterThanOrEqual(minimum);
    expect(check.minimumSize).toBeLessThan(volume.size);

    await expectResized(await resize(minimum), minimum);
  });

  it('removes the temporary copy when cancelled', async () => {
    const controller = new AbortController();
    const resizing = resizeFilesystem({
      volume,
      filesystem,
      used,
      newSize: family.shrink,
      tempDir,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(resizing).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await readdir(tempDir)).toEqual([]);
  });
});
