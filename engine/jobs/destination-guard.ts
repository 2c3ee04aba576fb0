import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join, posix, win32 } from 'node:path';
import type { Disk } from '../../shared/disks.js';
import { FerryError } from '../../shared/errors.js';
import { listDisks } from '../disks/list-disks.js';
import { linuxDeviceNumbers } from '../io/device-geometry.js';
import { diskAtPath, diskHoldingFolder } from './disk-of-folder.js';

/** Device names by platform: `\\.\PhysicalDrive0` (which Windows will not stat), `/dev/rdisk2s1`. */
const DEVICE_NAMES: Partial<Record<NodeJS.Platform, RegExp>> = {
  win32: /^\\\\[.?]\\physicaldrive\d+$/i,
  darwin: /^\/dev\/r?disk\d+(s\d+)?$/,
};

export interface GuardOptions {
  force: boolean;
  platform?: NodeJS.Platform;
  /** This machine's disks, where mount points tell which disk a folder is on (macOS, Windows). */
  listDisks?: () => Promise<Disk[]>;
}

/**
 * Refuses outputs that would destroy something: a file that already exists (without --force),
 * the source itself, or any file on the disk being read, whose free space is the very data a
 * conversion copies and whose blocks must not change under it.
 */
export async function guardDestination(
  sourcePath: string,
  outputFiles: readonly string[],
  options: GuardOptions,
): Promise<void> {
  const platform = options.platform ?? process.platform;
  const source = await stat(sourcePath).catch(() => null);
  for (const file of outputFiles) {
    const existing = await stat(file).catch(() => null);
    if (existing && source && existing.dev === source.dev && existing.ino === source.ino) {
      throw new FerryError('DESTINATION_ON_SOURCE', 'the destination is the source itself', {
        where: file,
        hint: 'choose another file name',
      });
    }
    if (existing && !options.force) {
      throw new FerryError('DESTINATION_EXISTS', 'already exists', {
        where: file,
        hint: 'choose another name, or add --force to replace it',
      });
    }
  }
  const device =
    source?.isBlockDevice() ||
    source?.isCharacterDevice() ||
    DEVICE_NAMES[platform]?.test(sourcePath);
  if (!device) return;
  if (platform === 'linux') {
    const sourceDisks = await linuxDisksOf(source!.rdev);
    for (const file of outputFiles) {
      const folderDisks = await linuxDisksOf((await stat(dirname(file))).dev);
      if ([...folderDisks].some((disk) => sourceDisks.has(disk))) throw onSource(file, sourcePath);
    }
    return;
  }
  const disks = await (options.listDisks ?? (() => recentDisks(platform)))();
  const sourceDisk = diskAtPath(disks, sourcePath, platform);
  if (!sourceDisk) return;
  const paths = platform === 'win32' ? win32 : posix;
  for (const file of outputFiles) {
    const folder = await realpath(paths.dirname(file)).catch(() => paths.dirname(file));
    if (diskHoldingFolder(disks, folder, platform) === sourceDisk) throw onSource(file, sourcePath);
  }
}

/**
 * The disk list is kept this long: the wizard plans on every change, and diskutil or PowerShell
 * take about a second to answer.
 */
const DISK_LIST_TTL_MS = 30_000;
let recent: { at: number; disks: Promise<Disk[]> } | null = null;

function recentDisks(platform: NodeJS.Platform): Promise<Disk[]> {
  if (!recent || Date.now() - recent.at > DISK_LIST_TTL_MS) {
    const disks = listDisks({ platform });
    // A failed listing is asked again next time, not remembered.
    disks.catch(() => (recent = null));
    recent = { at: Date.now(), disks };
  }
  return recent.disks;
}

function onSource(file: string, sourcePath: string): FerryError {
  return new FerryError('DESTINATION_ON_SOURCE', `lies on ${sourcePath}, the disk being read`, {
    where: file,
    hint: 'write the virtual disk to another disk, such as an external drive or a network share',
  });
}

/**
 * The physical disks (sysfs names such as "sda", "nvme0n1") under device number `dev`, through
 * partitions and through device-mapper / md stacks (LVM, LUKS, RAID) via their `slaves`. Empty
 * where sysfs cannot say: not Linux, or a filesystem without a block device (NFS, tmpfs).
 */
async function linuxDisksOf(dev: number): Promise<Set<string>> {
  const disks = new Set<string>();
  if (process.platform !== 'linux') return disks;
  const { major, minor } = linuxDeviceNumbers(BigInt(dev));
  const node = await realpath(`/sys/dev/block/${major}:${minor}`).catch(() => null);
  if (node) await collectDisks(node, disks, 0);
  return disks;
}

async function collectDisks(node: string, disks: Set<string>, depth: number): Promise<void> {
  const slaves = await readdir(join(node, 'slaves')).catch(() => []);
  if (slaves.length > 0 && depth < 8) {
    for (const slave of slaves)
      await collectDisks(await realpath(join(node, 'slaves', slave)), disks, depth + 1);
    return;
  }
  const isPartition = await stat(join(node, 'partition')).then(
    () => true,
    () => false,
  );
  disks.add(basename(isPartition ? dirname(node) : node));
}
