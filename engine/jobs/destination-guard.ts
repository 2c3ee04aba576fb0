import { readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FerryError } from '../../shared/errors.js';
import { linuxDeviceNumbers } from '../io/device-geometry.js';

/**
 * Refuses outputs that would destroy something: a file that already exists (without --force),
 * the source itself, or any file on the disk being read, whose free space is the very data a
 * conversion copies and whose blocks must not change under it.
 */
export async function guardDestination(
  sourcePath: string,
  outputFiles: readonly string[],
  options: { force: boolean },
): Promise<void> {
  const source = await stat(sourcePath);
  for (const file of outputFiles) {
    const existing = await stat(file).catch(() => null);
    if (existing && existing.dev === source.dev && existing.ino === source.ino) {
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
  if (source.isBlockDevice() || source.isCharacterDevice()) {
    const sourceDisks = await linuxDisksOf(source.rdev);
    for (const file of outputFiles) {
      const folderDisks = await linuxDisksOf((await stat(dirname(file))).dev);
      if ([...folderDisks].some((disk) => sourceDisks.has(disk))) {
        throw new FerryError(
          'DESTINATION_ON_SOURCE',
          `lies on ${sourcePath}, the disk being read`,
          {
            where: file,
            hint: 'write the virtual disk to another disk, such as an external drive or a network share',
          },
        );
      }
    }
  }
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
