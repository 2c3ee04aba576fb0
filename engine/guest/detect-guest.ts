/**
 * Which operating system is installed on a disk: each filesystem is asked in turn whether it
 * holds a Linux root (os-release) or a Windows system (the SOFTWARE hive). Damage in one
 * filesystem becomes a warning and never stops the others from being looked at.
 */
import { FerryError } from '../../shared/errors.js';
import type { GuestOs } from '../../shared/guest.js';
import type { FileTree } from '../files/types.js';
import { type Architecture, executableArchitecture, PE_POINTER_OFFSET } from './executable-arch.js';
import { describeOsRelease, parseOsRelease } from './os-release.js';
import { RegistryHive } from './registry-hive.js';
import { CURRENT_VERSION_KEY, readWindowsVersion } from './windows-version.js';

export interface GuestFilesystem {
  partition: number | null;
  tree: FileTree;
}

export interface GuestDetection {
  /** The first system found, in the order the filesystems were given; null when none was. */
  guest: GuestOs | null;
  /** One line each, naming the partition: damage met on the way, a second system found. */
  warnings: string[];
}

const OS_RELEASE_PATHS = ['/etc/os-release', '/usr/lib/os-release'];
const SHELL_PATHS = ['/bin/sh', '/usr/bin/sh'];
const SOFTWARE_HIVE = '/Windows/System32/config/SOFTWARE';
const KERNEL = '/Windows/System32/ntoskrnl.exe';
/** A real os-release is well under 1 KiB; anything near this is not one. */
const MAX_OS_RELEASE_BYTES = 64 * 1024;
/**
 * SOFTWARE hives grow with every program installed; 100-200 MiB is common on old systems, so the
 * usual 64 MiB file cap would refuse them. Larger than this is refused with a warning.
 */
const MAX_HIVE_BYTES = 512 * 1024 * 1024;
/** Read first: ELF's header is at the start, PE's usually a few hundred bytes in. */
const EXECUTABLE_HEAD = 4096;
/** "PE\0\0" and the COFF Machine field. */
const PE_MACHINE_END = 6;
/** A PE header further in than this is not looked for: no linker puts one there. */
const MAX_PE_HEADER_AT = 64 * 1024;

type Warn = (message: string) => void;

export async function detectGuest(
  filesystems: readonly GuestFilesystem[],
): Promise<GuestDetection> {
  const warnings: string[] = [];
  const found: GuestOs[] = [];
  for (const filesystem of filesystems) {
    const warn: Warn = (message) =>
      void warnings.push(`${placeOf(filesystem.partition)}: ${message}`);
    const guest = (await detectLinux(filesystem, warn)) ?? (await detectWindows(filesystem, warn));
    if (guest !== null) found.push(guest);
  }
  const [first, ...others] = found;
  for (const other of others) {
    warnings.push(
      `${other.name} was found on ${placeOf(other.partition)} too; the virtual machine is set up for ${first!.name}`,
    );
  }
  return { guest: first ?? null, warnings };
}

function placeOf(partition: number | null): string {
  return partition === null ? 'the disk' : `partition ${partition}`;
}

async function detectLinux(
  { partition, tree }: GuestFilesystem,
  warn: Warn,
): Promise<GuestOs | null> {
  const osRelease = await firstFile(tree, OS_RELEASE_PATHS, MAX_OS_RELEASE_BYTES, warn);
  if (osRelease === null) return null;
  const release = describeOsRelease(parseOsRelease(osRelease.toString('utf8')));
  return {
    family: 'linux',
    name: release.name,
    id: release.id,
    version: release.version,
    edition: null,
    build: null,
    architecture: await shellArchitecture(tree, warn),
    partition,
  };
}

async function detectWindows(
  { partition, tree }: GuestFilesystem,
  warn: Warn,
): Promise<GuestOs | null> {
  const hive = await readOrWarn(tree, SOFTWARE_HIVE, MAX_HIVE_BYTES, warn);
  if (hive === null) return null;
  const kernel = await executableHead(tree, KERNEL, warn);
  // A hive that cannot be read (undefined) still means Windows if its kernel is there too; on a
  // filesystem where nothing can be read it means nothing.
  if (hive === undefined && !kernel) return null;
  const guest: GuestOs = {
    family: 'windows',
    name: 'Windows',
    id: 'windows',
    version: null,
    edition: null,
    build: null,
    architecture: kernel ? executableArchitecture(kernel) : null,
    partition,
  };
  if (hive === undefined) return guest;
  try {
    const registry = new RegistryHive(hive, SOFTWARE_HIVE);
    if (registry.dirty) {
      warn(
        `${SOFTWARE_HIVE} was not fully written when Windows last stopped; what it says may be out of date`,
      );
    }
    const key = registry.key(CURRENT_VERSION_KEY);
    if (key === null) {
      warn(`${SOFTWARE_HIVE} has no ${CURRENT_VERSION_KEY} key, so the Windows version is unknown`);
      return guest;
    }
    const { name, version, edition, build } = readWindowsVersion(key);
    return { ...guest, name, version, edition, build };
  } catch (error) {
    if (!(error instanceof FerryError)) throw error;
    warn(error.toLine());
    return guest;
  }
}

/** The first of `paths` that exists; a file that cannot be read is warned about and skipped. */
async function firstFile(
  tree: FileTree,
  paths: readonly string[],
  maxBytes: number | undefined,
  warn: Warn,
): Promise<Buffer | null> {
  for (const path of paths) {
    const bytes = await readOrWarn(tree, path, maxBytes, warn);
    if (bytes) return bytes;
  }
  return null;
}

async function shellArchitecture(tree: FileTree, warn: Warn): Promise<Architecture | null> {
  for (const path of SHELL_PATHS) {
    const head = await executableHead(tree, path, warn);
    if (head) return executableArchitecture(head);
  }
  return null;
}

/**
 * Enough of the executable at `path` for executableArchitecture: its first bytes, and for a PE
 * image whose header lies past them, as far as that header.
 */
async function executableHead(
  tree: FileTree,
  path: string,
  warn: Warn,
): Promise<Buffer | null | undefined> {
  const head = await orWarn(path, warn, () => tree.readHead(path, EXECUTABLE_HEAD));
  if (!head || head.length < EXECUTABLE_HEAD || head.toString('latin1', 0, 2) !== 'MZ') return head;
  const needed = head.readUInt32LE(PE_POINTER_OFFSET) + PE_MACHINE_END;
  if (needed <= head.length || needed > MAX_PE_HEADER_AT) return head;
  return orWarn(path, warn, () => tree.readHead(path, needed));
}

/** The file's bytes; null when it does not exist; undefined (after a warning) when it is unreadable. */
function readOrWarn(
  tree: FileTree,
  path: string,
  maxBytes: number | undefined,
  warn: Warn,
): Promise<Buffer | null | undefined> {
  return orWarn(path, warn, () => tree.readFile(path, maxBytes));
}

/** What `read` gives; undefined, after a warning naming `path`, when it fails with a FerryError. */
async function orWarn(
  path: string,
  warn: Warn,
  read: () => Promise<Buffer | null>,
): Promise<Buffer | null | undefined> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof FerryError)) throw error;
    warn(error.where ? error.toLine() : `${path}: ${error.toLine()}`);
    return undefined;
  }
}
