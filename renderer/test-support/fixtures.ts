/**
 * What the engine really answers, for the renderer's tests. The two InspectReports are the
 * output of `ferry inspect --json` on images made by sfdisk, mkfs.fat, mkfs.ext4 -d, mkswap and
 * mkntfs + ntfscp, each with the system `ferry inspect` finds on a real install of that layout
 * (machine-fixtures.ts); the disks are shaped as `ferry disks --json` prints them, with the model
 * names and sizes of the engine's own Windows and Linux enumeration tests.
 */
import type { FolderListing, JobInfo, JobSpec, PlanSummary } from '../../shared/api.js';
import type { Disk } from '../../shared/disks.js';
import type { InspectReport } from '../../shared/layout.js';
import { DEBIAN_GUEST, WINDOWS_GUEST, firmwareOf, machineFor } from './machine-fixtures.js';

export const GPT_IMAGE = '/home/ada/images/laptop.img';

/** GPT: an EFI system partition (FAT32), a Linux root (ext4) and swap. */
export const GPT_REPORT: InspectReport = {
  source: GPT_IMAGE,
  format: 'raw',
  size: 67108864,
  storedBytes: null,
  sectorSize: 512,
  table: {
    type: 'gpt',
    id: 'f076dcbb-6b21-5940-bc15-c8096575cc8e',
    hybrid: false,
    partitions: [
      {
        number: 1,
        start: 1048576,
        size: 16777216,
        type: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
        typeName: 'EFI System',
        bootable: false,
        name: 'EFI System Partition',
        uuid: '6703f941-bd39-5649-9855-f81cc4be1719',
        kind: 'primary',
        filesystem: {
          type: 'fat32',
          label: 'ESP',
          uuid: 'FFC8-C948',
          size: 16777216,
          usedBytes: 274944,
        },
      },
      {
        number: 2,
        start: 17825792,
        size: 41943040,
        type: '0fc63daf-8483-4772-8e79-3d69d8477de4',
        typeName: 'Linux filesystem',
        bootable: false,
        name: 'root',
        uuid: 'bbeb1e20-0bf0-9e48-a97f-7df0c36a2e0c',
        kind: 'primary',
        filesystem: {
          type: 'ext4',
          label: 'root',
          uuid: '3e56453a-7c2e-4487-9b45-b3ba52a99c96',
          size: 41943040,
          usedBytes: 10636288,
        },
      },
      {
        number: 3,
        start: 59768832,
        size: 6291456,
        type: '0657fd6d-a4ab-43c4-84e5-0933c84b4f4f',
        typeName: 'Linux swap',
        bootable: false,
        name: 'swap',
        uuid: '4af36832-259f-584c-9d07-d6f027525827',
        kind: 'primary',
        filesystem: {
          type: 'swap',
          label: 'swap',
          uuid: '009217cf-ec7e-4ae5-93eb-4ffed9485362',
          size: 6291456,
          usedBytes: 4096,
        },
      },
    ],
  },
  filesystem: null,
  guest: DEBIAN_GUEST,
  warnings: [],
};

export const MBR_IMAGE = '/home/ada/images/desktop.img';

/** MBR: bootable NTFS, then an extended partition holding FAT16 and an unformatted Linux partition. */
export const MBR_REPORT: InspectReport = {
  source: MBR_IMAGE,
  format: 'raw',
  size: 50331648,
  storedBytes: null,
  sectorSize: 512,
  table: {
    type: 'mbr',
    id: '0xda80149a',
    hybrid: false,
    partitions: [
      {
        number: 1,
        start: 1048576,
        size: 20971520,
        type: '0x07',
        typeName: 'NTFS/exFAT/HPFS',
        bootable: true,
        name: null,
        uuid: null,
        kind: 'primary',
        filesystem: {
          type: 'ntfs',
          label: 'Windows',
          uuid: '2D6CF7A67D558879',
          size: 20971008,
          usedBytes: 2609664,
        },
      },
      {
        number: 2,
        start: 22020096,
        size: 28311552,
        type: '0x05',
        typeName: 'Extended',
        bootable: false,
        name: null,
        uuid: null,
        kind: 'extended',
        filesystem: null,
      },
      {
        number: 5,
        start: 23068672,
        size: 12582912,
        type: '0x06',
        typeName: 'FAT16',
        bootable: false,
        name: null,
        uuid: null,
        kind: 'logical',
        filesystem: {
          type: 'fat16',
          label: 'DATA',
          uuid: '0078-EE37',
          size: 12582912,
          usedBytes: 43008,
        },
      },
      {
        number: 6,
        start: 36700160,
        size: 13631488,
        type: '0x83',
        typeName: 'Linux',
        bootable: false,
        name: null,
        uuid: null,
        kind: 'logical',
        filesystem: null,
      },
    ],
  },
  filesystem: null,
  guest: WINDOWS_GUEST,
  warnings: [],
};

export const SYSTEM_DISK: Disk = {
  path: '/dev/nvme0n1',
  model: 'Samsung SSD 970 EVO 2TB',
  serial: 'S464NB0K601234',
  size: 2000396321280,
  logicalSectorSize: 512,
  physicalSectorSize: 512,
  bus: 'nvme',
  removable: false,
  readOnly: false,
  system: true,
  partitions: [
    {
      number: 1,
      path: '/dev/nvme0n1p1',
      start: 1048576,
      size: 536870912,
      type: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
      filesystem: 'vfat',
      label: null,
      uuid: 'FFC8-C948',
      mountPoints: ['/boot/efi'],
      usedBytes: 6291456,
    },
    {
      number: 2,
      path: '/dev/nvme0n1p2',
      start: 537919488,
      size: 1999857401856,
      type: '0fc63daf-8483-4772-8e79-3d69d8477de4',
      filesystem: 'ext4',
      label: 'root',
      uuid: '3e56453a-7c2e-4487-9b45-b3ba52a99c96',
      mountPoints: ['/'],
      usedBytes: 412316860416,
    },
  ],
};

export const USB_STICK: Disk = {
  path: '/dev/sda',
  model: "SanDisk' Cruzer Fit",
  serial: null,
  size: 15682240512,
  logicalSectorSize: 512,
  physicalSectorSize: 512,
  bus: 'usb',
  removable: true,
  readOnly: false,
  system: false,
  partitions: [
    {
      number: 1,
      path: '/dev/sda1',
      start: 1048576,
      size: 15681191936,
      type: '0x0c',
      filesystem: 'vfat',
      label: 'CRUZER',
      uuid: '0078-EE37',
      mountPoints: [],
      usedBytes: null,
    },
  ],
};

export const DISKS: Disk[] = [SYSTEM_DISK, USB_STICK];

export const HOME_LISTING: FolderListing = {
  path: '/home/ada',
  parent: '/home',
  freeBytes: 107374182400,
  entries: [
    { name: 'images', path: '/home/ada/images', kind: 'folder', size: 4096 },
    { name: 'VMs', path: '/home/ada/VMs', kind: 'folder', size: 4096 },
    { name: 'notes.txt', path: '/home/ada/notes.txt', kind: 'file', size: 1234 },
  ],
};

export const IMAGES_LISTING: FolderListing = {
  path: '/home/ada/images',
  parent: '/home/ada',
  freeBytes: 107374182400,
  entries: [
    { name: 'laptop.img', path: GPT_IMAGE, kind: 'file', size: 67108864 },
    { name: 'desktop.img', path: MBR_IMAGE, kind: 'file', size: 50331648 },
  ],
};

const MiB = 2 ** 20;

/** The inspection of each source the fake engine knows. */
export const REPORTS: Record<string, InspectReport> = {
  [GPT_IMAGE]: GPT_REPORT,
  [MBR_IMAGE]: MBR_REPORT,
  '/dev/nvme0n1': { ...GPT_REPORT, source: '/dev/nvme0n1', format: 'device' },
  // A data stick: no system on it.
  '/dev/sda': { ...MBR_REPORT, source: '/dev/sda', format: 'device', guest: null },
};

interface ResizeFacts {
  minimumSize: number;
  resizer: string | null;
}

/**
 * What the engine's resize checks say of each fixture partition: ext4 and NTFS shrink to a
 * little more than they use (resize2fs -P, ntfsresize --info); FAT16 to the clusters FAT16
 * needs; FAT32 cannot go below its 65525 clusters; swap and unknown content keep their size.
 */
const RESIZE_FACTS: Record<'gpt' | 'mbr', Record<number, ResizeFacts>> = {
  gpt: {
    1: { minimumSize: 16 * MiB, resizer: 'native' },
    2: { minimumSize: 13893632, resizer: 'resize2fs' },
    3: { minimumSize: 6 * MiB, resizer: null },
  },
  mbr: {
    1: { minimumSize: 5554176, resizer: 'ntfsresize' },
    5: { minimumSize: 8716288, resizer: 'native' },
    6: { minimumSize: 13 * MiB, resizer: null },
  },
};

/** What the engine reads beside the filesystems' used blocks: tables, gaps, boot code. */
const UNMAPPED_BYTES = 1143296;
/** Formats' tables and grain overhead on top of what is read. */
const OUTPUT_OVERHEAD = 131072;
/** The GPT backup array and header at the end of the disk. */
const GPT_TAIL = 33 * 512;

/**
 * The plan the engine makes of the spec's source: used blocks of the filesystems plus the table,
 * and the layout engine/volumes/plan-layout.ts works out (kept partitions keep their order and
 * the gaps between them, each moved by the size changes before it; a removed one leaves its
 * space free). It refuses, with the engine's words, what the engine refuses.
 */
export function planFor(spec: JobSpec, existing: string[] = []): PlanSummary {
  const report = REPORTS[spec.source] ?? GPT_REPORT;
  const table = report.table.type === 'mbr' ? 'mbr' : 'gpt';
  const facts = RESIZE_FACTS[table];
  const entries = report.table.partitions.filter((p) => p.kind !== 'extended');
  let shift = 0;
  let previousEnd = table === 'gpt' ? MiB : 512;
  let nextLogical = 5;
  let copyBytes = UNMAPPED_BYTES;
  let temporaryBytes = 0;
  const placed = entries.map((p) => {
    const { minimumSize, resizer } = facts[p.number] ?? { minimumSize: p.size, resizer: null };
    if (spec.partitions && !spec.partitions.includes(p.number)) {
      return { p, minimumSize, resizer, start: null, size: null, destinationNumber: null };
    }
    const size = spec.resize?.[String(p.number)] ?? p.size;
    if (size < minimumSize) {
      throw new Error(
        `${report.source} partition ${p.number}: partition ${p.number} cannot shrink to ${size / MiB} MiB (give it at least ${Math.ceil(minimumSize / MiB)} MiB)`,
      );
    }
    const wanted = p.start + shift;
    const gap = p.kind === 'logical' ? MiB : 0;
    const start =
      wanted === p.start && p.start >= previousEnd + gap
        ? p.start
        : Math.ceil(Math.max(wanted, previousEnd + gap) / MiB) * MiB;
    shift += size - p.size;
    previousEnd = start + size;
    copyBytes += p.filesystem?.usedBytes ?? p.size;
    if (size !== p.size && resizer !== null) temporaryBytes += p.filesystem?.usedBytes ?? 0;
    const destinationNumber = p.kind === 'logical' ? nextLogical++ : p.number;
    return { p, minimumSize, resizer, start, size, destinationNumber };
  });
  const minimumDiskSize = previousEnd + (table === 'gpt' ? GPT_TAIL : 0);
  const diskSize =
    spec.diskSize ??
    (report.size >= minimumDiskSize ? report.size : Math.ceil(minimumDiskSize / MiB) * MiB);
  if (diskSize < minimumDiskSize) {
    throw new Error(
      `${report.source}: the new layout needs a disk of at least ${Math.ceil(minimumDiskSize / MiB)} MiB, more than ${diskSize / MiB} MiB`,
    );
  }
  const { outputFiles, machine } = machineFor(spec, report);
  const room = diskSize - minimumDiskSize;
  const volumes = placed.map(({ p, minimumSize, resizer, start, size, destinationNumber }) => {
    const common = { number: p.number, sourceStart: p.start, sourceSize: p.size, resizer };
    if (start === null || size === null) {
      const removed = { destinationNumber: null, start: null, size: null };
      return { ...common, ...removed, minimumSize, maximumSize: p.size, change: 'remove' as const };
    }
    const change =
      size !== p.size
        ? resizer === null
          ? ('grow' as const)
          : ('resize' as const)
        : start === p.start
          ? ('copy' as const)
          : ('move' as const);
    return {
      ...common,
      destinationNumber,
      start,
      size,
      minimumSize: Math.min(minimumSize, size),
      maximumSize: size + room,
      change,
    };
  });
  return {
    format: spec.format,
    outputFiles,
    diskSize,
    copyBytes,
    estimatedOutputBytes: copyBytes + OUTPUT_OVERHEAD,
    existing,
    warnings: [],
    layout: report,
    volumes,
    minimumDiskSize,
    temporaryBytes,
    estimatedSeconds: 2 + (copyBytes + 2 * temporaryBytes) / (120 * MiB),
    guest: report.guest,
    firmware: firmwareOf(report),
    machine,
  };
}

export function jobFor(spec: JobSpec, overrides: Partial<JobInfo> = {}): JobInfo {
  return {
    id: 'job-1',
    spec,
    state: 'queued',
    createdAt: '2025-11-25T20:15:00.000Z',
    finishedAt: null,
    progress: null,
    files: [],
    bytes: null,
    error: null,
    ...overrides,
  };
}

/** What the wizard asks by default: a VMware machine around a VMDK. */
export const SPEC: JobSpec = {
  source: GPT_IMAGE,
  destination: '/home/ada/laptop.vmdk',
  format: 'vmdk',
  allBlocks: false,
  thick: false,
  compress: false,
  force: false,
  verify: false,
  machine: 'vmware',
};

/** The same conversion with the disk alone. */
export const DISK_SPEC: JobSpec = {
  source: GPT_IMAGE,
  destination: '/home/ada/laptop.vmdk',
  format: 'vmdk',
  allBlocks: false,
  thick: false,
  compress: false,
  force: false,
  verify: false,
};
