import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeOutput } from './decode.js';
import { busFromBusType, busTypeName } from './windows-cim.js';
import {
  disksFromWmic,
  parseWmic,
  parseWmicLinks,
  parseWmicList,
  type WmicInventory,
} from './wmic.js';

const text = (name: string) => decodeOutput(readFileSync(`test/data/disks/windows/${name}`));
const records = (name: string) => parseWmic(text(name), name);
const pick = (list: Record<string, string>[], ...keys: string[]) =>
  list.map((record) => keys.map((key) => record[key]));

const EMPTY: WmicInventory = {
  drives: [],
  partitions: [],
  letters: [],
  logicalDisks: [],
  physicalDisks: [],
  systemDrive: 'C:',
};

describe('parseWmic: Win32_DiskDrive', () => {
  it('reads CSV in UTF-16LE with "&amp;" in PNPDeviceID', () => {
    const drives = records('wmic-diskdrive-list-csv-utf16-usb-stick-and-usb-scsi-ssd.csv');
    expect(pick(drives, 'Index', 'Model', 'Size', 'InterfaceType', 'MediaType')).toEqual([
      ['3', 'SCSI Disk Device', '120031511040', 'SCSI', 'External hard disk media'],
      ['2', "SanDisk' Cruzer Fit USB Device", '15677383680', 'USB', 'Removable Media'],
    ]);
    expect(drives[1]?.['PNPDeviceID']).toBe(
      "USBSTOR\\DISK&VEN_SANDISK'&PROD_CRUZER_FIT&REV_1.00\\00022622120421003520&0",
    );
    expect(drives[1]?.['Capabilities']).toBe('{3;4;7}');
  });

  it('reads CSV with empty Size and BytesPerSector (a card reader without a card)', () => {
    const drives = records('wmic-diskdrive-list-csv-utf16-nvme-x2-usb-cardreader-empty.csv');
    expect(pick(drives, 'Index', 'Model', 'Size', 'BytesPerSector')).toEqual([
      ['0', 'Samsung SSD 970 EVO 2TB', '2000396321280', '512'],
      ['1', 'WDC PC SN720 SDAPNTW-512G', '512105932800', '512'],
      ['2', 'Generic STORAGE DEVICE USB Device', '', ''],
    ]);
    expect(
      pick(records('wmic-diskdrive-list-csv-usb-cardreader-no-media.csv'), 'Index', 'Size'),
    ).toEqual([['2', '']]);
  });

  it('reads /format:list from Windows 7, 10 and Server 2008', () => {
    expect(
      pick(
        records('wmic-win32-diskdrive-list-win7-virtualbox-ide-plus-vhd.txt'),
        'Index',
        'Model',
        'InterfaceType',
      ),
    ).toEqual([
      ['0', 'VBOX HARDDISK ATA Device', 'IDE'],
      ['1', 'Msft Virtual Disk SCSI Disk Device', 'SCSI'],
    ]);
    expect(
      pick(
        records('wmic-win32-diskdrive-list-win10-latitude7480-nvme.txt'),
        'Model',
        'SerialNumber',
      ),
    ).toEqual([['PC300 NVMe SK hynix 512GB', 'ACE4_2E61_9000_7804.']]);
    expect(
      pick(
        records('wmic-win32-diskdrive-list-win10-bitlocker-toshiba-nvme.txt'),
        'Model',
        'Partitions',
      ),
    ).toEqual([['KXG50ZNV512G NVMe TOSHIBA 512GB', '3']]);
    const vmware = records('wmic-win32-diskdrive-list-ws2008-vmware-16-virtual-disks.txt');
    expect(vmware.map((drive) => drive['Index']).join(' ')).toBe(
      '5 7 1 10 4 0 9 3 6 8 2 11 12 13 14 15',
    );
  });
});

describe('parseWmic: other classes', () => {
  it('reads MSFT_PhysicalDisk: BusType 17 is NVMe, 11 is SATA', () => {
    const latitude = records('wmic-msft-physicaldisk-list-win10-latitude7480-nvme.txt');
    expect(
      pick(latitude, 'DeviceId', 'BusType', 'LogicalSectorSize', 'PhysicalSectorSize', 'Size'),
    ).toEqual([['0', '17', '512', '4096', '512110190592']]);
    expect(busFromBusType(busTypeName(latitude[0]?.['BusType']))).toBe('nvme');
    const vbox = records('wmic-msft-physicaldisk-list-win10-virtualbox-sata.txt');
    expect(busFromBusType(busTypeName(vbox[0]?.['BusType']))).toBe('sata');
    // The object path holds "=" signs; only the first one separates key and value.
    expect(latitude[0]?.['ObjectId']).toMatch(/^\{1\}\\\\MOSTAFAFIKRY\\root.*ObjectId="\{3cda69c1/);
  });

  it('reads Win32_LogicalDisk, Win32_Volume and Win32_EncryptableVolume', () => {
    expect(
      pick(
        records('wmic-win32-logicaldisk-list-win7-virtualbox.txt'),
        'DeviceID',
        'DriveType',
        'FileSystem',
        'Size',
      ),
    ).toEqual([
      ['A:', '2', '', ''],
      ['C:', '3', 'NTFS', '64317550592'],
      ['D:', '5', '', ''],
      ['Z:', '4', 'HGFS', '999860912128'],
    ]);
    expect(
      pick(
        records('wmic-win32-logicaldisk-list-win10-bitlocker.txt'),
        'DeviceID',
        'VolumeName',
        'FreeSpace',
      ),
    ).toEqual([['C:', 'Windows', '271162613760']]);
    expect(
      records('wmic-win32-logicaldisk-list-ws2008-vmware.txt').map((disk) => disk['DeviceID']),
    ).toEqual(['A:', 'C:', 'D:', 'E:', 'J:', 'L:', 'Z:']);
    expect(
      pick(
        records('wmic-win32-volume-list-win7-folder-mountpoint-cdrom.txt'),
        'Name',
        'Label',
        'DriveType',
      ),
    ).toEqual([
      ['\\\\?\\Volume{0a3e595a-00d7-11e3-86ca-806e6f6e6963}\\', 'System reserved', '3'],
      ['C:\\MountedPoint\\Here\\', 'MountTest', '3'],
      ['C:\\', '', '3'],
      ['D:\\', '', '5'],
    ]);
    expect(
      pick(
        records('wmic-win32-volume-list-win10-bitlocker-esp-recovery.txt'),
        'DriveLetter',
        'FileSystem',
        'Label',
      ),
    ).toEqual([
      ['C:', 'NTFS', 'Windows'],
      ['', 'NTFS', ''],
      ['', 'FAT32', 'BOOT'],
    ]);
    expect(
      pick(
        records('wmic-win32-encryptablevolume-list-win10-bitlocker.txt'),
        'DriveLetter',
        'ProtectionStatus',
      ),
    ).toEqual([['C:', '1']]);
  });
});

describe('parseWmicLinks', () => {
  it('reads Win32_DiskDriveToDiskPartition CSV, whose object paths hold unquoted commas and quotes', () => {
    const links = parseWmicLinks(text('wmic-win32-diskdrivetodiskpartition-csv.csv'), 'sample');
    expect(
      links.map((link) => [link.antecedent.key, link.dependent.className, link.dependent.key]),
    ).toEqual([
      ['\\\\.\\PHYSICALDRIVE0', 'Win32_DiskPartition', 'Disk #0, Partition #0'],
      ['\\\\.\\PHYSICALDRIVE1', 'Win32_DiskPartition', 'Disk #1, Partition #0'],
      ['\\\\.\\PHYSICALDRIVE1', 'Win32_DiskPartition', 'Disk #1, Partition #1'],
      ['\\\\.\\PHYSICALDRIVE1', 'Win32_DiskPartition', 'Disk #1, Partition #2'],
    ]);
  });

  it('reads Win32_LogicalDiskToPartition CSV with the addresses after the paths', () => {
    const links = parseWmicLinks(text('wmic-win32-logicaldisktopartition-csv.csv'), 'sample');
    expect(links.map((link) => [link.antecedent.key, link.dependent.key, link.properties])).toEqual(
      [
        [
          'Disk #1, Partition #2',
          'C:',
          { EndingAddress: '512109838335', StartingAddress: '645922816' },
        ],
        [
          'Disk #0, Partition #0',
          'D:',
          { EndingAddress: '2000397795327', StartingAddress: '16777216' },
        ],
      ],
    );
  });

  it('reads the same association in /format:list', () => {
    const list = [
      '',
      'Antecedent=\\\\DESKTOP-3LFFCTK\\root\\cimv2:Win32_DiskPartition.DeviceID="Disk #1, Partition #2"',
      'Dependent=\\\\DESKTOP-3LFFCTK\\root\\cimv2:Win32_LogicalDisk.DeviceID="C:"',
      '',
    ].join('\r\r\n');
    expect(
      parseWmicLinks(list, 'sample').map((link) => [link.antecedent.key, link.dependent.key]),
    ).toEqual([['Disk #1, Partition #2', 'C:']]);
  });
});

describe('disksFromWmic', () => {
  it('DESKTOP-3LFFCTK: two NVMe disks, C: on disk 1 makes it the system disk, the empty reader is left out', () => {
    const letters = parseWmicLinks(text('wmic-win32-logicaldisktopartition-csv.csv'), 'sample');
    // No `wmic partition` output of this host was published; these two Win32_DiskPartition
    // records are written from its LogicalDiskToPartition sample (start and end addresses).
    const partitions = letters.map((link) => {
      const [, disk, index] = /Disk #(\d+), Partition #(\d+)/.exec(link.antecedent.key) ?? [];
      const start = Number(link.properties['StartingAddress']);
      const end = Number(link.properties['EndingAddress']);
      return {
        DeviceID: link.antecedent.key,
        DiskIndex: disk ?? '',
        Index: index ?? '',
        StartingOffset: String(start),
        Size: String(end - start + 1),
      };
    });
    const disks = disksFromWmic({
      ...EMPTY,
      drives: records('wmic-diskdrive-list-csv-utf16-nvme-x2-usb-cardreader-empty.csv'),
      partitions,
      letters,
    });
    expect(
      disks.map((disk) => [
        disk.path,
        disk.model,
        disk.size,
        disk.bus,
        disk.system,
        disk.removable,
      ]),
    ).toEqual([
      ['\\\\.\\PhysicalDrive0', 'Samsung SSD 970 EVO 2TB', 2000396321280, 'nvme', false, false],
      ['\\\\.\\PhysicalDrive1', 'WDC PC SN720 SDAPNTW-512G', 512105932800, 'nvme', true, false],
    ]);
    expect(disks[1]?.partitions).toEqual([
      {
        number: 3,
        path: null,
        start: 645922816,
        size: 511463915520,
        type: null,
        filesystem: null,
        label: null,
        uuid: null,
        mountPoints: ['C:\\'],
        usedBytes: null,
      },
    ]);
    expect(disks[0]?.partitions[0]).toMatchObject({
      number: 1,
      start: 16777216,
      mountPoints: ['D:\\'],
    });
  });

  it('USB stick and a USB SCSI SSD: removable by bus, media type and capabilities; a driver-only model is none', () => {
    const disks = disksFromWmic({
      ...EMPTY,
      drives: records('wmic-diskdrive-list-csv-utf16-usb-stick-and-usb-scsi-ssd.csv'),
    });
    expect(
      disks.map((disk) => [disk.path, disk.model, disk.bus, disk.removable, disk.readOnly]),
    ).toEqual([
      ['\\\\.\\PhysicalDrive2', "SanDisk' Cruzer Fit", 'usb', true, false],
      ['\\\\.\\PhysicalDrive3', null, 'scsi', true, false],
    ]);
  });

  it('Windows 7 VirtualBox: IDE and an attached VHD; the logical disk joins through its partition', () => {
    const disks = disksFromWmic({
      ...EMPTY,
      drives: records('wmic-win32-diskdrive-list-win7-virtualbox-ide-plus-vhd.txt'),
      logicalDisks: records('wmic-win32-logicaldisk-list-win7-virtualbox.txt'),
    });
    expect(disks.map((disk) => [disk.path, disk.model, disk.size, disk.bus, disk.serial])).toEqual([
      [
        '\\\\.\\PhysicalDrive0',
        'VBOX HARDDISK',
        107372805120,
        'ata',
        '42566332666666303539622d6632643731622031',
      ],
      ['\\\\.\\PhysicalDrive1', 'Msft Virtual Disk', 98703360, 'scsi', null],
    ]);
  });

  it('Latitude 7480: MSFT_PhysicalDisk gives the bus and the 4096-byte physical sectors', () => {
    const [disk] = disksFromWmic({
      ...EMPTY,
      drives: records('wmic-win32-diskdrive-list-win10-latitude7480-nvme.txt'),
      physicalDisks: records('wmic-msft-physicaldisk-list-win10-latitude7480-nvme.txt'),
    });
    expect(disk).toMatchObject({
      bus: 'nvme',
      logicalSectorSize: 512,
      physicalSectorSize: 4096,
      size: 512105932800,
    });
  });

  it('Server 2008 on VMware: sixteen disks in index order', () => {
    const disks = disksFromWmic({
      ...EMPTY,
      drives: records('wmic-win32-diskdrive-list-ws2008-vmware-16-virtual-disks.txt'),
    });
    expect(disks.map((disk) => disk.path)).toEqual(
      Array.from({ length: 16 }, (_, index) => `\\\\.\\PhysicalDrive${index}`),
    );
    expect(new Set(disks.map((disk) => disk.model))).toEqual(new Set(['VMware Virtual disk']));
  });
});

describe('bad wmic output', () => {
  it('rejects a CSV row with more fields than the header (a value with a comma)', () => {
    expect(() => parseWmic('Node,Index,Model\r\nPC,0,Disk, with comma\r\n', 'wmic')).toThrow(
      expect.objectContaining({
        code: 'TOOL_OUTPUT',
        message: expect.stringMatching(/3 fields|4 fields/),
      }),
    );
  });

  it('rejects list output with a line that is not Key=Value', () => {
    expect(() => parseWmicList('Index=0\r\nNo Instance(s) Available.\r\n', 'wmic')).toThrow(
      expect.objectContaining({ code: 'TOOL_OUTPUT' }),
    );
  });

  it('rejects an association without object paths', () => {
    expect(() => parseWmicLinks('Antecedent=C:\r\nDependent=D:\r\n', 'wmic')).toThrow(
      expect.objectContaining({ code: 'TOOL_OUTPUT' }),
    );
  });
});
