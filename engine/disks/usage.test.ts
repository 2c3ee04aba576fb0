import { describe, expect, it } from 'vitest';
import { sh } from '../../test/fixtures/cache.js';
import type { Disk, DiskPartition } from '../../shared/disks.js';
import { fillUsedBytes, nodeDiskInfoUsage, type MountUsage, type UsageReader } from './usage.js';

function partition(
  number: number,
  mountPoints: string[],
  usedBytes: number | null = null,
): DiskPartition {
  return {
    number,
    path: null,
    start: 0,
    size: 1 << 30,
    type: null,
    filesystem: null,
    label: null,
    uuid: null,
    mountPoints,
    usedBytes,
  };
}

function disk(partitions: DiskPartition[]): Disk {
  return {
    path: '/dev/sda',
    model: null,
    serial: null,
    size: 1 << 40,
    logicalSectorSize: 512,
    physicalSectorSize: 512,
    bus: 'sata',
    removable: false,
    readOnly: false,
    system: false,
    partitions,
  };
}

const reader =
  (usages: MountUsage[]): UsageReader =>
  () =>
    Promise.resolve(usages);

describe('fillUsedBytes', () => {
  it('joins by mount point, counts a device mounted twice once and sums distinct devices', async () => {
    const [filled] = await fillUsedBytes(
      [
        disk([
          partition(1, ['/boot/efi']),
          partition(2, ['/', '/var/snap/firefox/common/host-hunspell']),
          // An APFS container: several volumes, one partition.
          partition(3, ['/System/Volumes/Data', '/']),
          partition(4, []),
          partition(5, ['/srv'], 4096),
        ]),
      ],
      reader([
        { mountPoint: '/boot/efi', device: '/dev/sda1', usedBytes: 6369280 },
        { mountPoint: '/', device: '/dev/sda2', usedBytes: 1000 },
        {
          mountPoint: '/var/snap/firefox/common/host-hunspell',
          device: '/dev/sda2',
          usedBytes: 1000,
        },
        { mountPoint: '/System/Volumes/Data', device: 'disk1s1', usedBytes: 500 },
        { mountPoint: '/srv', device: '/dev/sda5', usedBytes: 1 },
      ]),
      'linux',
    );
    expect(filled?.partitions.map((part) => part.usedBytes)).toEqual([
      6369280,
      1000,
      1500,
      null,
      4096,
    ]);
  });

  it('compares Windows mount points without case and trailing backslash', async () => {
    const [filled] = await fillUsedBytes(
      [disk([partition(1, ['C:\\']), partition(2, ['C:\\mnt\\data\\'])])],
      reader([
        { mountPoint: 'c:', device: 'c:', usedBytes: 21899091968 },
        { mountPoint: 'C:\\MNT\\DATA', device: 'C:\\MNT\\DATA', usedBytes: 26361856 },
      ]),
      'win32',
    );
    expect(filled?.partitions.map((part) => part.usedBytes)).toEqual([21899091968, 26361856]);
  });

  it('keeps usedBytes null when the reader fails, and does not ask when nothing needs it', async () => {
    const disks = [disk([partition(1, ['/'])])];
    const failing: UsageReader = () => Promise.reject(new Error('df: /mnt/nfs: Stale file handle'));
    expect(await fillUsedBytes(disks, failing, 'linux')).toEqual(disks);
    let asked = false;
    const spy: UsageReader = () => {
      asked = true;
      return Promise.resolve([]);
    };
    await fillUsedBytes([disk([partition(1, ['/'], 10), partition(2, [])])], spy, 'linux');
    expect(asked).toBe(false);
  });
});

describe.skipIf(process.platform !== 'linux')('nodeDiskInfoUsage on this machine', () => {
  it('reports the bytes used on / as df does', async () => {
    const usages = await nodeDiskInfoUsage('linux')();
    const root = usages.find((usage) => usage.mountPoint === '/');
    const dfLine = (await sh('df', ['-P', '-k', '/'])).split('\n')[1] ?? '';
    const dfUsed = Number(dfLine.trim().split(/\s+/)[2]) * 1024;
    expect(root).toBeDefined();
    // Both read the same counters a moment apart; allow for files written meanwhile.
    expect(Math.abs((root?.usedBytes ?? 0) - dfUsed)).toBeLessThan(64 * 2 ** 20);
  });
});
