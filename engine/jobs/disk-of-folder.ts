/**
 * Which of this machine's disks a folder lies on, told from the disk list's mount points where
 * no sysfs can say it (macOS, whose diskutil shows APFS volumes on their physical store, and
 * Windows, with drive letters and folder mounts): the disk of the longest mount point that
 * contains the folder. "/" contains everything, so a folder under /Volumes/USB belongs to the
 * stick mounted there, not to the system disk.
 */
import { posix, win32 } from 'node:path';
import type { Disk } from '../../shared/disks.js';

export function diskHoldingFolder(
  disks: readonly Disk[],
  folder: string,
  platform: NodeJS.Platform,
): Disk | null {
  const paths = platform === 'win32' ? win32 : posix;
  const target = comparable(paths.resolve(folder), platform);
  let best: { disk: Disk; length: number } | null = null;
  for (const disk of disks) {
    for (const mount of disk.partitions.flatMap((partition) => partition.mountPoints)) {
      const root = comparable(mount, platform);
      const contains = root === '' || target === root || target.startsWith(`${root}${paths.sep}`);
      if (contains && (!best || root.length > best.length)) best = { disk, length: root.length };
    }
  }
  return best?.disk ?? null;
}

/** The disk at `device`: its own path, one of its partitions', or macOS's raw twin /dev/rdiskN. */
export function diskAtPath(
  disks: readonly Disk[],
  device: string,
  platform: NodeJS.Platform,
): Disk | null {
  const wanted = devicePath(device, platform);
  return (
    disks.find((disk) =>
      [disk.path, ...disk.partitions.map((partition) => partition.path)].some(
        (path) => path !== null && devicePath(path, platform) === wanted,
      ),
    ) ?? null
  );
}

/** Windows paths compare without case; a trailing separator (`C:\`) is dropped ("/" gives ""). */
function comparable(path: string, platform: NodeJS.Platform): string {
  const trimmed = path.replace(platform === 'win32' ? /[\\/]+$/ : /\/+$/, '');
  return platform === 'win32' ? trimmed.toLowerCase() : trimmed;
}

function devicePath(path: string, platform: NodeJS.Platform): string {
  if (platform === 'win32') return path.toLowerCase().replace(/^\\\\\?\\/, '\\\\.\\');
  if (platform === 'darwin') return path.replace(/^\/dev\/rdisk/, '/dev/disk');
  return path;
}
