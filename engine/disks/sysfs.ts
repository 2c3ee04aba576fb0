/**
 * sysfs fills what an old lsblk does not print: exact sizes, sector sizes, partition starts.
 * Reads go through a SysfsReader so tests with recorded lsblk output do not read this host.
 */
import { readFile } from 'node:fs/promises';

/** Reads /sys/class/block/<kernelName>/<attribute>; null when it is absent or unreadable. */
export type SysfsReader = (kernelName: string, attribute: string) => Promise<string | null>;

export const hostSysfs: SysfsReader = async (kernelName, attribute) => {
  // The name comes from lsblk's output; it must not walk out of /sys/class/block.
  if (!/^[\w.:!+-]+$/.test(kernelName) || kernelName.startsWith('.')) return null;
  try {
    const value = (await readFile(`/sys/class/block/${kernelName}/${attribute}`, 'utf8')).trim();
    return value === '' ? null : value;
  } catch {
    return null;
  }
};

/** For lsblk output that was not taken on this host, where /sys would answer wrongly. */
export const noSysfs: SysfsReader = () => Promise.resolve(null);
