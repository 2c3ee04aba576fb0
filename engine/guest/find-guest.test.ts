import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { GuestOs } from '../../shared/guest.js';
import { bash, sh } from '../../test/fixtures/cache.js';
import { gptDisk } from '../../test/fixtures/disks.js';
import {
  DEBIAN_12_GUEST,
  linuxGuestDisk,
  windows11GuestDisk,
  WINDOWS_10_PRO_GUEST,
  windowsGuestDisk,
} from '../../test/fixtures/guest-disks.js';
import { withPartitionCopy } from '../../test/fixtures/truth.js';
import { openFileTree } from '../files/open-file-tree.js';
import { readLayout, type DiskLayout } from '../inspect.js';
import { openSource } from '../io/open-source.js';
import { sliceSource } from '../io/slice.js';
import type { GuestDetection } from './detect-guest.js';
import { findGuest } from './find-guest.js';

const DEBIAN_OS_RELEASE = 'test/data/guest/os-release/debian12';

/** The disk's layout as `ferry inspect` reads it, and what findGuest makes of it. */
async function inspect(image: string): Promise<{ layout: DiskLayout; found: GuestDetection }> {
  const source = await openSource(image);
  try {
    const layout = await readLayout(source);
    return { layout, found: await findGuest(source, layout.report) };
  } finally {
    await source.close();
  }
}

/** The bytes of a file inside partition `number` of `image`, as the filesystem's own tool reads it. */
async function toolRead(
  image: string,
  layout: DiskLayout,
  number: number,
  path: string,
): Promise<string> {
  const partition = layout.report.table.partitions.find((p) => p.number === number)!;
  return withPartitionCopy(image, partition.start, partition.size, (file) =>
    partition.filesystem?.type === 'ntfs'
      ? bash(
          `ntfscat '${file}' '${path}' > hive && hivexget hive '\\Microsoft\\Windows NT\\CurrentVersion' | sort`,
        )
      : sh('debugfs', ['-R', `cat ${path}`, file]),
  );
}

describe('findGuest on disks with an installed system', () => {
  it('finds Debian 12 on the ext4 root of a GPT disk, through its symbolic links', async () => {
    const image = await linuxGuestDisk();
    const { layout, found } = await inspect(image);
    expect(found).toEqual({ guest: DEBIAN_12_GUEST, warnings: [] });
    expect(layout.report.guest).toEqual(DEBIAN_12_GUEST);
    expect(layout.report.warnings).toEqual([]);
    expect(await toolRead(image, layout, 2, '/usr/lib/os-release')).toContain(
      `PRETTY_NAME="${DEBIAN_12_GUEST.name}"`,
    );
  });

  it('reads the Debian root through its links, as the detection does', async () => {
    const image = await linuxGuestDisk();
    const source = await openSource(image);
    try {
      const root = (await readLayout(source)).report.table.partitions[1]!;
      const tree = await openFileTree(sliceSource(source, root.start, root.size), root.filesystem!);
      expect(await tree!.readFile('/etc/os-release')).toEqual(await readFile(DEBIAN_OS_RELEASE));
      expect(await tree!.readFile('/bin/sh')).toEqual(await readFile('/bin/dash'));
    } finally {
      await source.close();
    }
  });

  it('finds Windows 10 Pro on partition 2 of an MBR disk, after System Reserved', async () => {
    const image = await windowsGuestDisk();
    const { layout, found } = await inspect(image);
    expect(found).toEqual({ guest: WINDOWS_10_PRO_GUEST, warnings: [] });
    expect(layout.report.guest).toEqual(WINDOWS_10_PRO_GUEST);
    expect(layout.report.table.partitions[0]?.filesystem?.label).toBe('System Reserved');
    const values = await toolRead(image, layout, 2, '/Windows/System32/config/SOFTWARE');
    expect(values).toContain('"CurrentBuild"="19045"');
    expect(values).toContain('"EditionID"="Professional"');
  });

  it('names Windows 11 by its build, though its ProductName says Windows 10', async () => {
    const { layout, found } = await inspect(await windows11GuestDisk());
    const guest = { ...WINDOWS_10_PRO_GUEST, name: 'Windows 11 Pro', build: 22631, partition: 3 };
    expect(found).toEqual({ guest, warnings: [] });
    expect(layout.report.guest).toEqual(guest);
  });

  it('finds nothing, quietly, on a disk without a system', async () => {
    const { layout, found } = await inspect(await gptDisk());
    expect(found).toEqual({ guest: null, warnings: [] });
    expect(layout.report.guest).toBeNull();
  });

  it('still reports Windows, from ntoskrnl.exe, when the SOFTWARE hive is damaged', async () => {
    const { layout, found } = await inspect(await windowsGuestDisk({ damagedHive: true }));
    const guest: GuestOs = {
      ...WINDOWS_10_PRO_GUEST,
      name: 'Windows',
      version: null,
      edition: null,
      build: null,
    };
    expect(found).toEqual({
      guest,
      warnings: [
        expect.stringMatching(
          /^partition 2: \/Windows\/System32\/config\/SOFTWARE: hive bin at 0x1000 has size/,
        ),
      ],
    });
    expect(layout.report.guest).toEqual(guest);
    expect(layout.report.warnings).toEqual(found.warnings);
  });
});
