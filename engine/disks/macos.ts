/**
 * macOS: the physical disks diskutil reports. APFS containers and CoreStorage volumes are
 * synthesized disks; they are not listed, their volumes' mount points are shown on the
 * physical partition (the "store") they live on, and the system disk is the physical disk
 * under the volume mounted at `/` (on macOS 11+ a sealed snapshot of the system volume).
 */
import type { Bus, Disk, DiskPartition } from '../../shared/disks.js';
import {
  describeTool,
  runTool,
  runToolOk,
  toolFailed,
  type CommandRunner,
  type Tool,
} from '../io/run-command.js';
import { decodeOutput } from './decode.js';
import { filesystemFromContent, partitionTypeFromContent } from './diskutil-content.js';
import {
  diskutilError,
  readDiskutilInfo,
  readDiskutilList,
  wholeDiskOf,
  type DiskutilInfo,
  type DiskutilList,
  type DiskutilPartition,
  type DiskutilWholeDisk,
} from './diskutil.js';
import { count, lookup } from './fields.js';
import { filesystemName } from './filesystem-names.js';
import { parsePlist } from './plist.js';

const HINT = 'diskutil comes with macOS; check that /usr/sbin is on the PATH';

/** What diskutil says about the disks, gathered before any of it is interpreted. */
export interface DiskutilSnapshot {
  list: DiskutilList;
  /** `diskutil info` of whole disks and partitions; one without is listed from `list` alone. */
  infos: Map<string, DiskutilInfo>;
  /** `diskutil info /`: the volume the system runs from; null when diskutil could not say. */
  root: DiskutilInfo | null;
}

export async function listMacDisks(run: CommandRunner): Promise<Disk[]> {
  const listTool: Tool = { file: 'diskutil', args: ['list', '-plist'], hint: HINT };
  const list = readDiskutilList(
    parsePlist(decodeOutput(await runToolOk(run, listTool))),
    describeTool(listTool),
  );
  const infos = new Map<string, DiskutilInfo>();
  const present: DiskutilWholeDisk[] = [];
  for (const disk of list.disks) {
    const info = await readInfo(run, disk.id);
    // diskutil no longer knows the disk: it was ejected after the listing.
    if (info === null) continue;
    present.push(disk);
    infos.set(disk.id, info);
    if (isSynthesized(disk, info)) continue;
    for (const part of disk.partitions) {
      const partInfo = await readInfo(run, part.id);
      if (partInfo !== null) infos.set(part.id, partInfo);
    }
  }
  const root = await readInfo(run, '/');
  return disksFromDiskutil({ list: { disks: present }, infos, root });
}

/** `diskutil info -plist <target>`; null when diskutil answers that there is no such disk. */
async function readInfo(run: CommandRunner, target: string): Promise<DiskutilInfo | null> {
  const tool: Tool = { file: 'diskutil', args: ['info', '-plist', target], hint: HINT };
  const output = await runTool(run, tool);
  const stdout = decodeOutput(output.stdout);
  // diskutil exits with 1 and prints its error as a plist; anything else that fails is a failure.
  if (output.exitCode !== 0 && !stdout.trimStart().startsWith('<')) throw toolFailed(tool, output);
  const plist = parsePlist(stdout);
  if (diskutilError(plist) !== null) return null;
  return readDiskutilInfo(plist, describeTool(tool));
}

export function disksFromDiskutil(snapshot: DiskutilSnapshot): Disk[] {
  const { list, infos } = snapshot;
  const mountsOnStores = new Map<string, string[]>();
  for (const disk of list.disks) {
    const info = infos.get(disk.id) ?? null;
    if (!isSynthesized(disk, info)) continue;
    const mounts = [disk.mountPoint, ...disk.apfsVolumes.flatMap((volume) => volume.mountPoints)];
    for (const store of storesOf(disk, info)) {
      mountsOnStores.set(store, unique([...(mountsOnStores.get(store) ?? []), ...mounts]));
    }
  }
  const systemDisks = rootDisks(snapshot);
  const disks: Disk[] = [];
  for (const disk of list.disks) {
    const info = infos.get(disk.id) ?? null;
    if (isSynthesized(disk, info)) continue;
    const size = info?.size ?? disk.size;
    if (!size) continue;
    const partitions = disk.partitions.map((part) => {
      const partInfo = infos.get(part.id) ?? null;
      const mountPoints = unique([
        part.mountPoint,
        partInfo?.mountPoint ?? null,
        ...(mountsOnStores.get(part.id) ?? []),
      ]);
      return macPartition(disk.content, part, partInfo, mountPoints);
    });
    const mountedAtRoot =
      disk.mountPoint === '/' || partitions.some((part) => part.mountPoints.includes('/'));
    disks.push({
      path: `/dev/${disk.id}`,
      model: info ? macModel(info) : null,
      serial: null,
      size,
      logicalSectorSize: info?.blockSize ?? 512,
      physicalSectorSize: info?.blockSize ?? 512,
      bus: info ? macBus(info) : 'unknown',
      removable: info !== null && (info.removable || info.busProtocol === 'USB'),
      readOnly: info?.writableMedia === false,
      system: systemDisks.has(disk.id) || mountedAtRoot,
      partitions,
    });
  }
  return disks;
}

/** `scheme` is the whole disk's Content: GUID_partition_scheme or FDisk_partition_scheme. */
function macPartition(
  scheme: string | null,
  listed: DiskutilPartition,
  info: DiskutilInfo | null,
  mountPoints: string[],
): DiskPartition {
  const content = listed.content ?? info?.content ?? null;
  return {
    number: count(/s(\d+)$/.exec(listed.id)?.[1]) ?? 0,
    path: `/dev/${listed.id}`,
    start: info?.partitionOffset ?? 0,
    size: listed.size ?? info?.size ?? 0,
    type: partitionTypeFromContent(scheme, content),
    filesystem:
      filesystemName(info?.filesystemType ?? null, info?.filesystemName ?? null) ??
      filesystemFromContent(content),
    label: listed.volumeName ?? info?.volumeName ?? null,
    uuid: listed.volumeUuid ?? info?.volumeUuid ?? null,
    mountPoints,
    usedBytes: mountedVolumeUse(info),
  };
}

/** A mounted HFS+/FAT/NTFS partition's use from its own info; APFS stores are left to df. */
function mountedVolumeUse(info: DiskutilInfo | null): number | null {
  if (info === null || info.mountPoint === null) return null;
  if (info.volumeSize === null || info.freeSpace === null) return null;
  const used = info.volumeSize - info.freeSpace;
  return used >= 0 ? used : null;
}

/** An APFS container, a CoreStorage volume or a disk image: not hardware. */
function isSynthesized(disk: DiskutilWholeDisk, info: DiskutilInfo | null): boolean {
  return (
    storesOf(disk, info).length > 0 ||
    info?.virtualOrPhysical === 'Virtual' ||
    info?.busProtocol === 'Disk Image'
  );
}

function storesOf(disk: DiskutilWholeDisk, info: DiskutilInfo | null): string[] {
  return unique([...disk.apfsPhysicalStores, ...(info?.physicalStores ?? [])]);
}

/**
 * The physical disks under `/`, from `diskutil info /`: its physical stores (APFS, CoreStorage)
 * or, for a plain partition, its whole disk; a synthesized whole disk is followed to its stores.
 */
function rootDisks(snapshot: DiskutilSnapshot): Set<string> {
  const result = new Set<string>();
  const root = snapshot.root;
  if (!root) return result;
  const pending =
    root.physicalStores.length > 0 ? [...root.physicalStores] : [root.parentWholeDisk ?? root.id];
  const seen = new Set<string>();
  while (pending.length > 0 && seen.size < 64) {
    const id = wholeDiskOf(pending.pop() ?? '');
    if (seen.has(id)) continue;
    seen.add(id);
    const disk = snapshot.list.disks.find((entry) => entry.id === id);
    const info = snapshot.infos.get(id) ?? null;
    const stores = disk ? storesOf(disk, info) : (info?.physicalStores ?? []);
    if (stores.length > 0) pending.push(...stores);
    else result.add(id);
  }
  return result;
}

/**
 * IOKit names a disk's media "<vendor> <product> Media" ("SanDisk' Cruzer Fit Media"), where
 * MediaName may lack the vendor ("Cruzer Fit").
 */
function macModel(info: DiskutilInfo): string | null {
  const registry = info.ioRegistryEntryName;
  const name = registry?.endsWith(' Media') ? registry : info.mediaName;
  return name?.replace(/\s*Media$/, '').trim() || null;
}

const MAC_BUSES: Record<string, Bus> = {
  SATA: 'sata',
  ATA: 'ata',
  USB: 'usb',
  Thunderbolt: 'thunderbolt',
  SAS: 'sas',
  SCSI: 'scsi',
  'Fibre Channel Interface': 'scsi',
  'Secure Digital': 'mmc',
  SD: 'mmc',
  NVMe: 'nvme',
  // Apple silicon's internal storage is NVMe behind Apple's fabric.
  'Apple Fabric': 'nvme',
  FireWire: 'other',
};

function macBus(info: DiskutilInfo): Bus {
  const protocol = info.busProtocol;
  if (protocol === null) return 'unknown';
  if (protocol === 'PCI-Express' || protocol === 'PCI') {
    const where = `${info.deviceTreePath ?? ''} ${info.mediaName ?? ''}`;
    return /nvme/i.test(where) ? 'nvme' : 'other';
  }
  return lookup(MAC_BUSES, protocol) ?? 'other';
}

function unique(values: readonly (string | null)[]): string[] {
  const result: string[] = [];
  for (const value of values)
    if (value !== null && value !== '' && !result.includes(value)) result.push(value);
  return result;
}
