/**
 * How big a block device is and what its logical sector size is, asked of the operating system:
 * sysfs (or blockdev) on Linux, diskutil on macOS, PowerShell's Get-Disk on Windows. The command
 * runner is injectable so each platform's parsing is tested on recorded output.
 */
import { readFile } from 'node:fs/promises';
import { FerryError } from '../../shared/errors.js';
import { parsePlist } from '../disks/plist.js';
import { execaRunner, firstLine, runTool, type CommandRunner, type Tool } from './run-command.js';

export interface DeviceGeometry {
  size: number;
  sectorSize: number;
}

export type ReadText = (path: string) => Promise<string>;

const readText: ReadText = (path) => readFile(path, 'utf8');

/** The major and minor numbers packed in a Linux dev_t (glibc's gnu_dev_major / gnu_dev_minor). */
export function linuxDeviceNumbers(rdev: bigint): { major: bigint; minor: bigint } {
  return {
    major: ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn),
    minor: (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn),
  };
}

/**
 * Linux: sysfs gives the size in 512-byte units whatever the sector size, and the logical block
 * size in the queue of the whole disk (a partition has no queue of its own, so its parent's is
 * read). Where sysfs is missing (some containers), `blockdev` asks the kernel through ioctls.
 */
export async function linuxGeometry(
  path: string,
  rdev: bigint,
  deps: { readText?: ReadText; run?: CommandRunner } = {},
): Promise<DeviceGeometry> {
  const { major, minor } = linuxDeviceNumbers(rdev);
  const dir = `/sys/dev/block/${major}:${minor}`;
  const fromSysfs = await sysfsGeometry(dir, path, deps.readText ?? readText).catch(
    () => undefined,
  );
  if (fromSysfs) return fromSysfs;
  const stdout = await toolStdout(
    deps.run,
    geometryTool('blockdev', ['--getsize64', '--getss', path]),
    path,
  );
  return parseBlockdev(stdout, path);
}

async function sysfsGeometry(dir: string, path: string, read: ReadText): Promise<DeviceGeometry> {
  const sectors = parseCount(await read(`${dir}/size`), 'sysfs size', dir);
  const blockSize = await read(`${dir}/queue/logical_block_size`).catch(() =>
    read(`${dir}/../queue/logical_block_size`),
  );
  return checked(
    { size: sectors * 512, sectorSize: parseCount(blockSize, 'logical_block_size', dir) },
    path,
  );
}

/** `blockdev --getsize64 --getss DEV` prints the size in bytes, then the logical sector size. */
export function parseBlockdev(stdout: string, path: string): DeviceGeometry {
  const lines = stdout.trim().split(/\s+/);
  if (lines.length !== 2) {
    throw toolOutput('blockdev', `printed ${JSON.stringify(stdout.slice(0, 80))}`, path);
  }
  return checked(
    {
      size: parseCount(lines[0]!, 'blockdev size', path),
      sectorSize: parseCount(lines[1]!, 'blockdev sector size', path),
    },
    path,
  );
}

/** /dev/diskN is buffered and slow; /dev/rdiskN reads the same disk raw, in whole sectors. */
export function macosDevicePaths(path: string): { query: string; raw: string } {
  const match = /^\/dev\/r?(disk\d+(?:s\d+)?)$/.exec(path);
  if (!match) return { query: path, raw: path };
  return { query: `/dev/${match[1]}`, raw: `/dev/r${match[1]}` };
}

export async function macosGeometry(path: string, run?: CommandRunner): Promise<DeviceGeometry> {
  const { query } = macosDevicePaths(path);
  // diskutil explains an unknown disk in a plist on stdout and exits 1: that is worth parsing.
  const stdout = await toolStdout(
    run,
    geometryTool('diskutil', ['info', '-plist', query]),
    path,
    true,
  );
  return parseDiskutilInfo(stdout, path);
}

/**
 * `diskutil info -plist` gives the whole size in bytes (Size) and the logical sector size
 * (DeviceBlockSize). When the disk is unknown it still prints a plist, with Error and
 * ErrorMessage, and exits 1.
 */
export function parseDiskutilInfo(xml: string, path: string): DeviceGeometry {
  let info: unknown;
  try {
    info = parsePlist(xml);
  } catch (error) {
    throw toolOutput('diskutil', `printed a plist Ferry cannot read (${describe(error)})`, path);
  }
  if (!isRecord(info)) throw toolOutput('diskutil', 'printed no dictionary', path);
  if (info.Error === true) {
    const message = typeof info.ErrorMessage === 'string' ? info.ErrorMessage : 'unknown disk';
    throw new FerryError('SOURCE_NOT_FOUND', `diskutil: ${message}`, {
      where: path,
      hint: 'give a whole disk such as /dev/disk2; `diskutil list` shows them',
    });
  }
  return checked(
    {
      size: numberField(info, 'Size', 'diskutil', path),
      sectorSize: numberField(info, 'DeviceBlockSize', 'diskutil', path),
    },
    path,
  );
}

/** The disk number of \\.\PhysicalDriveN, the only kind of Windows device Ferry reads. */
export function windowsDiskNumber(path: string): number {
  const match = /^\\\\[.?]\\PhysicalDrive(\d{1,4})$/i.exec(path);
  if (!match) {
    throw new FerryError('UNSUPPORTED', 'not a physical drive path', {
      where: path,
      hint: 'give a whole disk as \\\\.\\PhysicalDriveN; `ferry disks` lists them',
    });
  }
  return Number(match[1]);
}

export async function windowsGeometry(path: string, run?: CommandRunner): Promise<DeviceGeometry> {
  const number = windowsDiskNumber(path);
  const script = `Get-Disk -Number ${number} | Select-Object Size,LogicalSectorSize | ConvertTo-Json`;
  const args = ['-NoProfile', '-NonInteractive', '-Command', script];
  const stdout = await toolStdout(run, geometryTool('powershell.exe', args), path);
  return parseGetDiskJson(stdout, path);
}

/** `Get-Disk | Select-Object Size,LogicalSectorSize | ConvertTo-Json`: one JSON object. */
export function parseGetDiskJson(stdout: string, path: string): DeviceGeometry {
  let disk: unknown;
  try {
    disk = JSON.parse(stdout.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw toolOutput('Get-Disk', `printed no JSON (${describe(error)})`, path);
  }
  if (!isRecord(disk)) throw toolOutput('Get-Disk', 'printed no single disk object', path);
  return checked(
    {
      size: numberField(disk, 'Size', 'Get-Disk', path),
      sectorSize: numberField(disk, 'LogicalSectorSize', 'Get-Disk', path),
    },
    path,
  );
}

const geometryTool = (file: string, args: readonly string[]): Tool => ({
  file,
  args,
  hint: `make sure ${file} is installed and on the PATH`,
});

/** The tool's stdout as text; a failing exit is TOOL_OUTPUT about the device `where`. */
async function toolStdout(
  run: CommandRunner | undefined,
  tool: Tool,
  where: string,
  stdoutExplainsFailure = false,
): Promise<string> {
  const result = await runTool(run ?? execaRunner, tool);
  const stdout = Buffer.from(result.stdout).toString('utf8');
  if (result.exitCode !== 0 && !(stdoutExplainsFailure && stdout.trim() !== '')) {
    const line = firstLine(Buffer.from(result.stderr).toString('utf8'));
    throw toolOutput(tool.file, `failed with exit status ${result.exitCode}: ${line}`, where);
  }
  return stdout;
}

/** Sector sizes are powers of two from 512 to 64 KiB; anything else is a misreading. */
function checked(geometry: DeviceGeometry, path: string): DeviceGeometry {
  const { size, sectorSize } = geometry;
  if (size === 0) {
    throw new FerryError('SOURCE_UNREADABLE', 'the device holds no medium (its size is 0)', {
      where: path,
      hint: 'insert the card or disk into the reader, then try again',
    });
  }
  const powerOfTwo = (sectorSize & (sectorSize - 1)) === 0;
  if (
    !Number.isSafeInteger(size) ||
    size < 0 ||
    sectorSize < 512 ||
    sectorSize > 65536 ||
    !powerOfTwo
  ) {
    throw new FerryError(
      'SOURCE_UNREADABLE',
      `the device reports ${size} bytes in sectors of ${sectorSize} bytes`,
      {
        where: path,
        hint: 'the device did not report a usable geometry; reconnect it and try again',
      },
    );
  }
  return geometry;
}

function parseCount(text: string, what: string, where: string): number {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (!/^\d{1,16}$/.test(trimmed) || !Number.isSafeInteger(value)) {
    throw toolOutput(what, `is ${JSON.stringify(trimmed.slice(0, 40))}, not a count`, where);
  }
  return value;
}

function numberField(
  record: Record<string, unknown>,
  key: string,
  tool: string,
  where: string,
): number {
  const field = record[key];
  const value = typeof field === 'bigint' ? Number(field) : field;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw toolOutput(tool, `gave no whole number for ${key}`, where);
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toolOutput(tool: string, problem: string, where: string): FerryError {
  return new FerryError('TOOL_OUTPUT', `${tool} ${problem}`, {
    where,
    hint: 'the operating system did not describe the device as expected; report this with the output',
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
