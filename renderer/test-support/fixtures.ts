/**
 * What the engine really answers, for the renderer's tests. The two InspectReports are the
 * output of `ferry inspect --json` on images made by sfdisk, mkfs.fat, mkfs.ext4 -d, mkswap and
 * mkntfs + ntfscp; the disks are shaped as `ferry disks --json` prints them, with the model
 * names and sizes of the engine's own Windows and Linux enumeration tests.
 */
import type { FolderListing, JobInfo, JobSpec, PlanSummary } from '../../shared/api.js';
import type { Disk } from '../../shared/disks.js';
import type { InspectReport } from '../../shared/layout.js';

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

/** The plan the engine makes of GPT_REPORT: used blocks of the three filesystems plus the table. */
export function planFor(spec: JobSpec, existing: string[] = []): PlanSummary {
  return {
    format: spec.format,
    outputFiles: [spec.destination],
    diskSize: GPT_REPORT.size,
    copyBytes: 12058624,
    estimatedOutputBytes: 12189696,
    existing,
    warnings: [],
    layout: GPT_REPORT,
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

export const SPEC: JobSpec = {
  source: GPT_IMAGE,
  destination: '/home/ada/laptop.vmdk',
  format: 'vmdk',
  allBlocks: false,
  thick: false,
  compress: false,
  force: false,
};
