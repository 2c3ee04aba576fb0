/**
 * Linux: the physical disks lsblk reports, their partitions, and which one holds the running
 * system. sysfs fills what an older lsblk leaves out.
 */
import type { Bus, Disk, DiskPartition } from '../../shared/disks.js';
import {
  describeTool,
  runTool,
  toolFailed,
  type CommandRunner,
  type Tool,
} from '../io/run-command.js';
import { decodeOutput } from './decode.js';
import { count, flag, lookup } from './fields.js';
import { filesystemName } from './filesystem-names.js';
import { parseLsblk, type LsblkDevice } from './lsblk.js';
import type { SysfsReader } from './sysfs.js';

const HINT = 'install util-linux (it provides lsblk)';

const LSBLK_JSON: Tool = {
  file: 'lsblk',
  args: ['--json', '--bytes', '--output-all'],
  hint: HINT,
};

/**
 * For an lsblk without --json or --output-all: the richer column set first, then the columns
 * every lsblk has, since an unknown column name makes lsblk refuse the whole command.
 */
const LSBLK_PAIRS: Tool[] = [
  'NAME,KNAME,TYPE,SIZE,RM,RO,MODEL,VENDOR,SERIAL,TRAN,LOG-SEC,PHY-SEC,PARTTYPE,FSTYPE,LABEL,UUID,MOUNTPOINT',
  'NAME,KNAME,TYPE,SIZE,RM,RO,MODEL,LOG-SEC,PHY-SEC,FSTYPE,LABEL,UUID,MOUNTPOINT',
].map((columns) => ({ file: 'lsblk', args: ['-P', '-b', '-o', columns], hint: HINT }));

export async function listLinuxDisks(run: CommandRunner, sysfs: SysfsReader): Promise<Disk[]> {
  return disksFromLsblk(await readLsblk(run), sysfs);
}

async function readLsblk(run: CommandRunner): Promise<LsblkDevice[]> {
  const json = await runTool(run, LSBLK_JSON);
  if (json.exitCode === 0) return parseLsblk(decodeOutput(json.stdout), describeTool(LSBLK_JSON));
  let failure = toolFailed(LSBLK_JSON, json);
  for (const tool of LSBLK_PAIRS) {
    const pairs = await runTool(run, tool);
    if (pairs.exitCode === 0) return parseLsblk(decodeOutput(pairs.stdout), describeTool(tool));
    failure = toolFailed(tool, pairs);
  }
  throw failure;
}

/** Software and network block devices that lsblk also calls "disk". */
const NOT_HARDWARE = /^(ram|zram|loop|sr|scd|fd|nbd|rbd|drbd|md|dm-|zd)\d/;

/**
 * The physical disks among lsblk's devices. md arrays, LVM, dm-crypt and loop devices are not
 * listed as disks: they sit on disks that are (an md RAID1 is listed as its members, each
 * marked system when the array holds /), and converting the physical disk carries them along.
 */
export async function disksFromLsblk(
  devices: readonly LsblkDevice[],
  sysfs: SysfsReader,
): Promise<Disk[]> {
  const systemRoots = findSystemRoots(devices);
  const disks: Disk[] = [];
  for (const device of devices) {
    if (!(device.type === 'disk' || device.type === null)) continue;
    if (NOT_HARDWARE.test(device.kernelName)) continue;
    const disk = await diskFromDevice(device, systemRoots.has(device), sysfs);
    if (disk) disks.push(disk);
  }
  return disks;
}

/** In order of preference; ostree systems mount their root disk at /sysroot. */
const SYSTEM_MOUNTS = ['/', '/sysroot', '/boot', '/boot/efi'];

/**
 * The top-level devices that hold the running system: those under `/`, found through any
 * dm/crypt/lvm/md layers because lsblk nests holders under what they hold. Without a `/` in
 * the tree (an ostree or overlay root) the boot mounts decide. A RAID1 gives several. When the
 * mount is on a loop device, no physical disk is the system disk.
 */
function findSystemRoots(devices: readonly LsblkDevice[]): Set<LsblkDevice> {
  for (const mountPoint of SYSTEM_MOUNTS) {
    const roots = devices.filter((device) => subtreeMounts(device).includes(mountPoint));
    if (roots.length > 0) return new Set(roots);
  }
  return new Set();
}

async function diskFromDevice(
  device: LsblkDevice,
  system: boolean,
  sysfs: SysfsReader,
): Promise<Disk | null> {
  const attribute = (name: string) => sysfs(device.kernelName, name);
  const size = await exactSize(device, sysfs);
  // No size is an empty card reader or drive: nothing to convert.
  if (!size) return null;
  const logical = device.logicalSectorSize ?? count(await attribute('queue/logical_block_size'));
  const physical = device.physicalSectorSize ?? count(await attribute('queue/physical_block_size'));
  const removable = device.removable ?? flag(await attribute('removable'));
  const readOnly = device.readOnly ?? flag(await attribute('ro'));
  const model = device.model ?? (await attribute('device/model'))?.trim() ?? null;
  const serial =
    device.serial ?? (await attribute('serial')) ?? (await attribute('device/serial')) ?? null;
  const bus = linuxBus(device);
  const partitions: DiskPartition[] = [];
  for (const child of device.children) {
    if (child.type === 'part') partitions.push(await partitionFromDevice(child, sysfs));
  }
  partitions.sort((a, b) => a.number - b.number);
  return {
    path: device.path,
    model: modelName(device.vendor, model),
    serial: serial?.trim() || null,
    size,
    logicalSectorSize: logical ?? 512,
    physicalSectorSize: physical ?? logical ?? 512,
    bus,
    // A USB disk can be unplugged whatever the kernel's removable-media flag says.
    removable: removable === true || bus === 'usb',
    readOnly: readOnly === true,
    system,
    partitions,
  };
}

async function partitionFromDevice(
  device: LsblkDevice,
  sysfs: SysfsReader,
): Promise<DiskPartition> {
  const attribute = (name: string) => sysfs(device.kernelName, name);
  const number =
    device.partitionNumber ??
    count(await attribute('partition')) ??
    count(/(\d+)$/.exec(device.kernelName)?.[1]) ??
    0;
  const startSectors = device.start === null ? count(await attribute('start')) : null;
  return {
    number,
    path: device.path,
    // lsblk before 2.38 has no START; sysfs always has it; 0 only when neither could say.
    start: device.start ?? sectorsToBytes(startSectors) ?? 0,
    size: (await exactSize(device, sysfs)) ?? 0,
    type: device.partitionType,
    filesystem: filesystemName(device.fsType, device.fsVersion),
    label: device.label,
    uuid: device.uuid,
    mountPoints: subtreeMounts(device),
    usedBytes: subtreeUsedBytes(device),
  };
}

/** A size printed in human units is replaced by sysfs's exact one when there is one. */
async function exactSize(device: LsblkDevice, sysfs: SysfsReader): Promise<number | null> {
  if (device.size !== null && !device.sizeIsApproximate) return device.size;
  return sectorsToBytes(count(await sysfs(device.kernelName, 'size'))) ?? device.size;
}

/** Mount points of a device and of everything stacked on it (LUKS, LVM, md), in tree order. */
function subtreeMounts(device: LsblkDevice, depth = 0): string[] {
  const result = [...device.mountPoints];
  if (depth > 32) return result;
  for (const child of device.children) {
    for (const mountPoint of subtreeMounts(child, depth + 1)) {
      if (!result.includes(mountPoint)) result.push(mountPoint);
    }
  }
  return result;
}

/**
 * Bytes used by the filesystems mounted from a partition, directly or through LUKS/LVM/md:
 * the sum over each mounted filesystem, or null when one of them did not say.
 */
function subtreeUsedBytes(device: LsblkDevice): number | null {
  const mounted = new Set<LsblkDevice>();
  const visit = (node: LsblkDevice, depth: number) => {
    if (node.mountPoints.some((mountPoint) => mountPoint !== '[SWAP]')) mounted.add(node);
    if (depth < 32) for (const child of node.children) visit(child, depth + 1);
  };
  visit(device, 0);
  if (mounted.size === 0) return null;
  let total = 0;
  for (const node of mounted) {
    if (node.fsUsed === null) return null;
    total += node.fsUsed;
  }
  return Number.isSafeInteger(total) ? total : null;
}

const TRANSPORTS: Record<string, Bus> = {
  sata: 'sata',
  ata: 'ata',
  nvme: 'nvme',
  usb: 'usb',
  sas: 'sas',
  spi: 'scsi',
  fc: 'scsi',
  iscsi: 'scsi',
  virtio: 'virtio',
  mmc: 'mmc',
};

/** From TRAN; else from the SUBSYSTEMS chain; else from the kernel's naming. */
function linuxBus(device: LsblkDevice): Bus {
  if (device.transport !== null) return lookup(TRANSPORTS, device.transport) ?? 'other';
  const subsystems = device.subsystems?.split(':') ?? [];
  // The first match wins: a USB stick's chain also names scsi; virtio-scsi counts as virtio.
  for (const bus of ['usb', 'nvme', 'mmc', 'virtio', 'scsi'] as const) {
    if (subsystems.includes(bus)) return bus;
  }
  const name = device.kernelName;
  if (/^nvme\d/.test(name)) return 'nvme';
  if (/^mmcblk\d/.test(name)) return 'mmc';
  if (/^vd[a-z]/.test(name)) return 'virtio';
  if (/^hd[a-z]/.test(name)) return 'ata';
  if (/^xvd[a-z]/.test(name)) return 'other';
  return 'unknown';
}

/** "SAMSUNG SSD_PM830_mSATA": the vendor unless it is a placeholder ("ATA") or a PCI id. */
function modelName(vendor: string | null, model: string | null): string | null {
  const cleanModel = model?.trim() || null;
  const cleanVendor = vendor?.trim() || null;
  if (cleanVendor === null || /^(ata|0x[0-9a-f]+)$/i.test(cleanVendor)) return cleanModel;
  if (cleanModel === null) return cleanVendor;
  return cleanModel.toLowerCase().startsWith(cleanVendor.toLowerCase())
    ? cleanModel
    : `${cleanVendor} ${cleanModel}`;
}

/** sysfs sizes and starts count 512-byte units, whatever the device's sector size. */
function sectorsToBytes(sectors: number | null): number | null {
  if (sectors === null) return null;
  const bytes = sectors * 512;
  return Number.isSafeInteger(bytes) ? bytes : null;
}
