import type { FileHandle } from 'node:fs/promises';
import { FerryError } from '../../shared/errors.js';
import { alignedReader } from './aligned-reads.js';
import {
  linuxGeometry,
  macosDevicePaths,
  macosGeometry,
  windowsDiskNumber,
  windowsGeometry,
  type DeviceGeometry,
} from './device-geometry.js';
import { directFiller } from './direct-fill.js';
import { handleReader, handleSource, openReadOnly, readHandle } from './file-source.js';
import type { CommandRunner } from './run-command.js';
import type { BlockSource } from './source.js';

export interface DeviceSourceOptions {
  /** Which operating system's rules to follow; the running one unless a test says otherwise. */
  platform?: NodeJS.Platform;
  /** Size and sector size when already known, instead of asking the operating system. */
  geometry?: DeviceGeometry;
  run?: CommandRunner;
}

/**
 * A physical disk, opened read-only and never for writing. On Linux the block device is read
 * directly; macOS reads /dev/diskN through its raw twin /dev/rdiskN, and Windows reads
 * \\.\PhysicalDriveN: both of those accept only whole-sector reads.
 */
export async function openDeviceSource(
  path: string,
  options: DeviceSourceOptions = {},
): Promise<BlockSource> {
  const platform = options.platform ?? process.platform;
  // Anything but \\.\PhysicalDriveN is refused on Windows before it is opened.
  if (platform === 'win32') windowsDiskNumber(path);
  else if (platform !== 'linux' && platform !== 'darwin') {
    throw new FerryError('UNSUPPORTED', `reading disks on ${platform} is not supported`, {
      where: path,
      hint: 'make an image of the disk with dd and give Ferry the image',
    });
  }
  const readPath = platform === 'darwin' ? macosDevicePaths(path).raw : path;
  const handle = await openReadOnly(path, readPath);
  try {
    const geometry = options.geometry ?? (await queryGeometry(path, handle, platform, options.run));
    const read =
      platform === 'linux'
        ? handleReader(handle, path)
        : alignedReader(
            (buffer, at, length, position) =>
              readHandle(handle, buffer, at, length, position, path),
            { sectorSize: geometry.sectorSize, where: path },
          );
    // Linux block devices take reads of any size and alignment, so chunks can reuse buffers,
    // and the chunks of a copy go past the page cache.
    const direct =
      platform === 'linux'
        ? await directFiller(readPath, handle, path, geometry.sectorSize)
        : undefined;
    const source = handleSource(handle, {
      path,
      format: 'device',
      ...geometry,
      read,
      ...(direct && { fill: direct.fill }),
    });
    return {
      ...source,
      async close() {
        await direct?.close();
        await source.close();
      },
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function queryGeometry(
  path: string,
  handle: FileHandle,
  platform: NodeJS.Platform,
  run: CommandRunner | undefined,
): Promise<DeviceGeometry> {
  if (platform === 'darwin') return macosGeometry(path, run);
  if (platform === 'win32') return windowsGeometry(path, run);
  const stats = await handle.stat({ bigint: true });
  if (!stats.isBlockDevice()) {
    throw new FerryError('UNSUPPORTED', 'not a block device', {
      where: path,
      hint: 'give a disk such as /dev/sda or /dev/nvme0n1, or an image file',
    });
  }
  return linuxGeometry(path, stats.rdev, { run });
}
