/**
 * `ferry disks`: this machine's physical disks, their partitions and which one holds the running
 * system, on Linux (lsblk), macOS (diskutil) and Windows (PowerShell storage cmdlets, or wmic).
 */
import type { Disk } from '../../shared/disks.js';
import { FerryError } from '../../shared/errors.js';
import { execaRunner, type CommandRunner } from '../io/run-command.js';
import { listLinuxDisks } from './linux.js';
import { listMacDisks } from './macos.js';
import { hostSysfs, type SysfsReader } from './sysfs.js';
import { fillUsedBytes, nodeDiskInfoUsage, type UsageReader } from './usage.js';
import { listWindowsDisks } from './windows.js';

export interface ListDisksOptions {
  platform?: NodeJS.Platform;
  /** Runs lsblk, diskutil, powershell, wmic; execa by default. */
  run?: CommandRunner;
  /** Linux: sysfs attributes; this host's /sys by default. */
  sysfs?: SysfsReader;
  /** Used bytes of mounted volumes; node-disk-info by default. */
  usage?: UsageReader;
}

export async function listDisks(options: ListDisksOptions = {}): Promise<Disk[]> {
  const platform = options.platform ?? process.platform;
  const run = options.run ?? execaRunner;
  const disks = await listPlatformDisks(platform, run, options.sysfs ?? hostSysfs);
  return fillUsedBytes(disks, options.usage ?? nodeDiskInfoUsage(platform), platform);
}

function listPlatformDisks(
  platform: NodeJS.Platform,
  run: CommandRunner,
  sysfs: SysfsReader,
): Promise<Disk[]> {
  switch (platform) {
    case 'linux':
      return listLinuxDisks(run, sysfs);
    case 'darwin':
      return listMacDisks(run);
    case 'win32':
      return listWindowsDisks(run);
    default:
      throw new FerryError('UNSUPPORTED', `listing disks is not supported on ${platform}`, {
        where: 'ferry disks',
        hint: 'give a device path or an image file to ferry inspect / convert instead',
      });
  }
}
