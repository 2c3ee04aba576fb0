import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  busFromBusType,
  busTypeName,
  disksFromStorage,
  driveLetter,
  parseStorageJson,
  readCimDisks,
  readCimPartitions,
  readCimVolumes,
} from './windows-cim.js';

const json = (name: string): unknown =>
  JSON.parse(readFileSync(`test/data/disks/windows/${name}`, 'utf8'));

const EC2_DISKS = 'cim-msft-disk-select-json-ws2022-ec2-3x-nvme-ebs-EXCERPT-EDITED.json';
const WS2022_VOLUMES = 'cim-win32-volume-and-mountpoint-json-compress-ws2022-folder-mount.json';

/**
 * Get-Partition as ConvertTo-Json writes it (DriveLetter "\u0000" when there is none,
 * AccessPaths with a null, braces around GptType). No public capture of Get-Partition could be
 * attributed, so these records are written by hand, placing the WS2022 sample's volumes: C: is
 * an MBR volume (its GUID encodes MBR signature 01cef182 and offset 1 MiB), on disk 0 which is
 * MBR; E: and the folder-mounted volume carry GPT GUIDs, on disk 1 which is GPT.
 */
const PARTITIONS = [
  {
    DiskNumber: 0,
    PartitionNumber: 1,
    Offset: 1048576,
    Size: 64423460864,
    GptType: null,
    MbrType: 7,
    DriveLetter: 'C',
    AccessPaths: ['C:\\', '\\\\?\\Volume{01cef182-0000-0000-0000-100000000000}\\'],
  },
  {
    DiskNumber: 1,
    PartitionNumber: 1,
    Offset: 1048576,
    Size: 4294967296,
    GptType: '{ebd0a0a2-b9e5-4433-87c0-68b6b72699c7}',
    MbrType: null,
    DriveLetter: 'E',
    AccessPaths: ['E:\\', '\\\\?\\Volume{66d55a38-a842-4b96-9a57-04aca40889ea}\\'],
  },
  {
    DiskNumber: 1,
    PartitionNumber: 2,
    Offset: 4296015872,
    Size: 6424625152,
    GptType: '{EBD0A0A2-B9E5-4433-87C0-68B6B72699C7}',
    MbrType: null,
    DriveLetter: '\u0000',
    AccessPaths: ['C:\\mnt\\data\\', '\\\\?\\Volume{d24a16dc-fc72-48eb-9637-69658f6281c7}\\'],
  },
  {
    DiskNumber: 2,
    PartitionNumber: 1,
    Offset: 1048576,
    Size: 16777216,
    GptType: '{e3c9e316-0b5c-4db8-817d-f92df00215ae}',
    MbrType: null,
    DriveLetter: '\u0000',
    AccessPaths: [null],
  },
];

describe('readCimDisks (MSFT_Disk, the class behind Get-Disk)', () => {
  it('reads the EC2 sample: numeric BusType, IsBoot/IsSystem, in the order Windows gave', () => {
    const disks = readCimDisks(json(EC2_DISKS), 'sample');
    expect(
      disks.map((disk) => [disk.number, disk.busType, disk.size, disk.isBoot, disk.isSystem]),
    ).toEqual([
      [2, 'NVMe', 10737418240, false, false],
      [0, 'NVMe', 64424509440, true, true],
      [1, 'NVMe', 10737418240, false, false],
    ]);
    expect(disks[1]).toMatchObject({ model: 'NVMe Amazon Elastic B', serial: 'vol0284_00000001.' });
  });
});

describe('readCimVolumes', () => {
  it('reads Win32_Volume with its Win32_MountPoint pairs: letters and a folder mount', () => {
    const volumes = readCimVolumes(json(WS2022_VOLUMES), 'sample');
    expect(
      volumes.map((volume) => [
        volume.driveLetter,
        volume.label,
        volume.size,
        volume.free,
        volume.mountPoints,
      ]),
    ).toEqual([
      ['C', null, 64422408192, 42523316224, ['C:\\']],
      ['E', 'MQLDATA', 4294963200, 4273430528, ['E:\\']],
      [null, 'MQLFOLDER', 6424621056, 6398259200, ['C:\\mnt\\data\\']],
    ]);
    expect(volumes[2]?.guidPath).toBe('\\\\?\\Volume{d24a16dc-fc72-48eb-9637-69658f6281c7}\\');
  });

  it('reads Get-Volume objects (Path, FileSystemLabel, SizeRemaining), a lone one as a list of one', () => {
    const volumes = readCimVolumes(
      {
        Path: '\\\\?\\Volume{01cef182-0000-0000-0000-100000000000}\\',
        DriveLetter: 'C',
        FileSystem: 'NTFS',
        FileSystemLabel: 'Windows',
        Size: 64422408192,
        SizeRemaining: 42523316224,
      },
      'sample',
    );
    expect(volumes).toEqual([
      {
        guidPath: '\\\\?\\Volume{01cef182-0000-0000-0000-100000000000}\\',
        driveLetter: 'C',
        fileSystem: 'NTFS',
        label: 'Windows',
        size: 64422408192,
        free: 42523316224,
        mountPoints: [],
      },
    ]);
  });
});

describe('disksFromStorage', () => {
  it('joins partitions to volumes by volume GUID path: letters, folder mounts, used bytes', () => {
    const disks = disksFromStorage({
      disks: readCimDisks(json(EC2_DISKS), 'sample'),
      partitions: readCimPartitions(PARTITIONS, 'sample'),
      volumes: readCimVolumes(json(WS2022_VOLUMES), 'sample'),
    });
    expect(
      disks.map((disk) => [disk.path, disk.bus, disk.system, disk.removable, disk.size]),
    ).toEqual([
      ['\\\\.\\PhysicalDrive0', 'nvme', true, false, 64424509440],
      ['\\\\.\\PhysicalDrive1', 'nvme', false, false, 10737418240],
      ['\\\\.\\PhysicalDrive2', 'nvme', false, false, 10737418240],
    ]);
    expect(disks[0]?.partitions).toEqual([
      {
        number: 1,
        path: null,
        start: 1048576,
        size: 64423460864,
        type: '0x07',
        filesystem: 'ntfs',
        label: null,
        uuid: null,
        mountPoints: ['C:\\'],
        usedBytes: 64422408192 - 42523316224,
      },
    ]);
    expect(
      disks[1]?.partitions.map((part) => [part.type, part.label, part.mountPoints, part.usedBytes]),
    ).toEqual([
      ['ebd0a0a2-b9e5-4433-87c0-68b6b72699c7', 'MQLDATA', ['E:\\'], 4294963200 - 4273430528],
      [
        'ebd0a0a2-b9e5-4433-87c0-68b6b72699c7',
        'MQLFOLDER',
        ['C:\\mnt\\data\\'],
        6424621056 - 6398259200,
      ],
    ]);
    expect(disks[2]?.partitions[0]).toMatchObject({
      type: 'e3c9e316-0b5c-4db8-817d-f92df00215ae',
      filesystem: null,
      mountPoints: [],
      usedBytes: null,
    });
  });

  it('leaves out attached VHDs (File Backed Virtual) and empty readers', () => {
    const disks = disksFromStorage({
      disks: readCimDisks(
        [
          {
            Number: 0,
            FriendlyName: 'Msft Virtual Disk',
            Size: 161061273600,
            BusType: 'SAS',
            IsBoot: true,
          },
          {
            Number: 2,
            FriendlyName: 'Msft Virtual Disk',
            Size: 23622320128,
            BusType: 'File Backed Virtual',
          },
          { Number: 3, FriendlyName: 'Generic STORAGE DEVICE', Size: 0, BusType: 7 },
        ],
        'sample',
      ),
      partitions: [],
      volumes: [],
    });
    expect(disks.map((disk) => [disk.path, disk.bus, disk.system])).toEqual([
      ['\\\\.\\PhysicalDrive0', 'sas', true],
    ]);
  });
});

describe('Windows enums and spellings', () => {
  it.each([
    [17, 'nvme'],
    ['NVMe', 'nvme'],
    [11, 'sata'],
    ['SATA', 'sata'],
    [7, 'usb'],
    [8, 'raid'],
    [10, 'sas'],
    ['Fibre Channel', 'scsi'],
    [12, 'mmc'],
    ['Storage Spaces', 'other'],
    ['Spaces', 'other'],
    [0, 'unknown'],
    [99, 'unknown'],
  ])('BusType %j is %s', (value, bus) => {
    expect(busFromBusType(busTypeName(value))).toBe(bus);
  });

  it.each([
    ['C', 'C'],
    ['d:', 'D'],
    [67, 'C'],
    ['\u0000', null],
    [0, null],
    [null, null],
    ['CD', null],
  ])('DriveLetter %j is %j', (value, letter) => {
    expect(driveLetter(value)).toBe(letter);
  });
});

describe('parseStorageJson', () => {
  it('reads the object the Ferry script prints', () => {
    const snapshot = parseStorageJson(
      JSON.stringify({
        disks: json(EC2_DISKS),
        partitions: PARTITIONS,
        volumes: json(WS2022_VOLUMES),
      }),
      'powershell',
    );
    expect([snapshot.disks.length, snapshot.partitions.length, snapshot.volumes.length]).toEqual([
      3, 4, 3,
    ]);
  });

  it.each([
    ['not JSON', 'Get-Disk : Access denied', /not JSON/],
    ['no disks', '{"volumes": []}', /no "disks"/],
    ['a disk without a number', '{"disks": [{"Size": 1}]}', /without a Number/],
    ['a partition that is not an object', '{"disks": [], "partitions": ["C"]}', /not an object/],
  ])('rejects %s with TOOL_OUTPUT', (_name, text, message) => {
    expect(() => parseStorageJson(text, 'powershell')).toThrow(
      expect.objectContaining({ code: 'TOOL_OUTPUT', message: expect.stringMatching(message) }),
    );
  });
});
