/**
 * Used bytes of mounted volumes, from node-disk-info (df on Linux and macOS, wmic on Windows),
 * joined to partitions by mount point. It only fills what the platform's own tool left unknown,
 * and a failure leaves usedBytes null: usage is a nicety, never a reason to fail a listing.
 */
import type { Disk, DiskPartition } from '../../shared/disks.js';

export interface MountUsage {
  mountPoint: string;
  /** What is mounted (/dev/sda1, disk1s5s1); two mount points of one device count once. */
  device: string;
  usedBytes: number;
}

export type UsageReader = () => Promise<MountUsage[]>;

/** df -P counts 1024-byte blocks on Linux and 512-byte blocks on macOS; wmic counts bytes. */
const BLOCK_UNITS: Partial<Record<NodeJS.Platform, number>> = {
  linux: 1024,
  darwin: 512,
  win32: 1,
};

export function nodeDiskInfoUsage(platform: NodeJS.Platform): UsageReader {
  return async () => {
    const { getDiskInfo } = await import('node-disk-info');
    const unit = BLOCK_UNITS[platform] ?? 1024;
    const result: MountUsage[] = [];
    for (const drive of await getDiskInfo()) {
      const usedBytes = drive.used * unit;
      if (typeof drive.mounted !== 'string' || !Number.isSafeInteger(usedBytes) || usedBytes < 0) {
        continue;
      }
      // On Windows `filesystem` is a description ("Local Fixed Disk"), not a device.
      const device = platform === 'win32' ? drive.mounted : drive.filesystem;
      result.push({ mountPoint: drive.mounted, device, usedBytes });
    }
    return result;
  };
}

export async function fillUsedBytes(
  disks: Disk[],
  read: UsageReader,
  platform: NodeJS.Platform,
): Promise<Disk[]> {
  const needsUsage = (part: DiskPartition) =>
    part.usedBytes === null && part.mountPoints.length > 0;
  if (!disks.some((disk) => disk.partitions.some(needsUsage))) return disks;
  let usages: MountUsage[];
  try {
    usages = await read();
  } catch {
    return disks;
  }
  const key = (mountPoint: string) => mountKey(mountPoint, platform);
  return disks.map((disk) => ({
    ...disk,
    partitions: disk.partitions.map((part) => {
      if (!needsUsage(part)) return part;
      const mountKeys = new Set(part.mountPoints.map(key));
      const byDevice = new Map<string, number>();
      for (const usage of usages) {
        if (mountKeys.has(key(usage.mountPoint))) byDevice.set(usage.device, usage.usedBytes);
      }
      if (byDevice.size === 0) return part;
      // Several devices under one partition are APFS volumes sharing a container, or LVM
      // volumes on one physical volume: the partition's use is their sum.
      const total = [...byDevice.values()].reduce((sum, used) => sum + used, 0);
      return { ...part, usedBytes: Number.isSafeInteger(total) ? total : null };
    }),
  }));
}

/** Windows mount points compare without case and without the trailing backslash (C:\ = C:). */
function mountKey(mountPoint: string, platform: NodeJS.Platform): string {
  return platform === 'win32' ? mountPoint.replace(/\\+$/, '').toLowerCase() : mountPoint;
}
