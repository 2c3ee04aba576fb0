import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sh } from '../../test/fixtures/cache.js';
import { FerryError } from '../../shared/errors.js';
import { decodeOutput } from './decode.js';
import { parseLsblk, type LsblkDevice } from './lsblk.js';

function sample(name: string): LsblkDevice[] {
  return parseLsblk(decodeOutput(readFileSync(`test/data/disks/linux/${name}`)), name);
}

/** The tree as "name type size" lines, children indented: what lsblk's own tree view shows. */
function tree(devices: LsblkDevice[], indent = ''): string[] {
  return devices.flatMap((device) => [
    `${indent}${device.name} ${device.type ?? '?'} ${device.size ?? '-'}${device.sizeIsApproximate ? '~' : ''}`,
    ...tree(device.children, `${indent}  `),
  ]);
}

function everything(devices: LsblkDevice[]): LsblkDevice[] {
  return devices.flatMap((device) => [device, ...everything(device.children)]);
}

function find(devices: LsblkDevice[], name: string): LsblkDevice {
  const device = everything(devices).find((candidate) => candidate.name === name);
  if (!device) throw new Error(`no ${name} in the sample`);
  return device;
}

describe('parseLsblk, JSON', () => {
  it('reads human sizes approximately, string flags and a single mountpoint (old lsblk)', () => {
    const devices = sample('lsblk-json-human-nvme-usb-nopt.json');
    expect(tree(devices)).toEqual([
      'sda disk 15354508083~',
      'nvme0n1 disk 512174850048~',
      '  nvme0n1p3 part 16965120819~',
      '  nvme0n1p1 part 536870912~',
      '  nvme0n1p2 part 494672858317~',
    ]);
    const stick = find(devices, 'sda');
    expect(stick).toMatchObject({ removable: true, readOnly: false, path: '/dev/sda' });
    expect(stick.mountPoints).toEqual(['/media/jwentz/Temp']);
    expect(find(devices, 'nvme0n1p2').mountPoints).toEqual(['/']);
    expect(find(devices, 'nvme0n1').mountPoints).toEqual([]);
  });

  it('reads lsblk 2.32 strings ("0", "6807435776") and --paths names', () => {
    const devices = sample('lsblk-json-bytes-few-cols-lsblk232-chromeos-vm-loop-dm.json');
    expect(tree(devices).slice(0, 4)).toEqual([
      '/dev/loop0 loop 1248124928',
      '  /dev/mapper/encstateful dm 1248124928',
      '/dev/loop1 loop 113876992',
      '/dev/sda disk 6807435776',
    ]);
    expect(find(devices, '/dev/sda').children).toHaveLength(12);
    expect(find(devices, '/dev/sda6').size).toBe(512);
    expect(find(devices, '/dev/sda')).toMatchObject({
      kernelName: 'sda',
      path: '/dev/sda',
      removable: false,
    });
    expect(find(devices, '/dev/mapper/encstateful').kernelName).toBe('dm-0');
  });

  it('reads --output-all --paths from util-linux 2.40: start, partn, parttype, fsused', () => {
    const devices = sample('lsblk-json-bytes-outputall-paths-qemu-sata-azl3.json');
    const disk = find(devices, '/dev/sda');
    expect(disk).toMatchObject({
      kernelName: 'sda',
      type: 'disk',
      size: 17179869184,
      transport: 'sata',
      model: 'QEMU HARDDISK',
      vendor: 'ATA',
      logicalSectorSize: 512,
      physicalSectorSize: 512,
      subsystems: 'block:scsi:pci',
    });
    expect(disk.children.map((part) => [part.partitionNumber, part.start, part.size])).toEqual([
      [1, 1048576, 52428800],
      [2, 53477376, 4294967296],
      [3, 4348444672, 4294967296],
      [4, 8643411968, 2147483648],
      [5, 10790895616, 104857600],
    ]);
    expect(find(devices, '/dev/sda1')).toMatchObject({
      partitionType: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
      fsType: 'vfat',
      uuid: '6AA2-09D2',
      mountPoints: ['/boot/efi'],
      fsUsed: 2418688,
    });
    expect(find(devices, '/dev/sda4').mountPoints).toEqual(['[SWAP]']);
  });

  it('reads lsblk 2.37, whose fsused is a string even with --bytes, and several mountpoints', () => {
    const devices = sample(
      'lsblk-json-bytes-outputall-paths-nvme-samsung-lsblk237-reindented.json',
    );
    const root = find(devices, '/dev/nvme0n1p2');
    expect(root.fsUsed).toBe(416664305664);
    expect(root.mountPoints).toEqual(['/var/snap/firefox/common/host-hunspell', '/']);
    expect(root.start).toBeNull();
    expect(find(devices, '/dev/nvme0n1')).toMatchObject({
      serial: 'S27FNYAH407000',
      transport: 'nvme',
    });
  });

  it('keeps a holder that sits on two partitions under both (dm-verity root)', () => {
    const devices = sample('lsblk-json-bytes-outputall-hyperv-verity-crypt-cdrom.json');
    expect(find(devices, 'sda4').children.map((child) => child.name)).toEqual(['root']);
    expect(find(devices, 'sda6').children.map((child) => child.name)).toEqual(['root']);
    expect(find(devices, 'sda4').children[0]?.mountPoints).toEqual(['/']);
    expect(find(devices, 'sr0')).toMatchObject({ type: 'rom', removable: true, size: 374784 });
  });

  it('reads a file that starts with a UTF-8 BOM', () => {
    const devices = sample('lsblk-json-bytes-few-cols-virtualbox-ubuntu-snap-loops-cdrom.json');
    expect(devices.filter((device) => device.type === 'loop')).toHaveLength(15);
    expect(find(devices, 'sda')).toMatchObject({ model: 'VBOX HARDDISK', transport: 'sata' });
  });

  it('rebuilds the tree of a flat list without a TYPE column from the kernel names', () => {
    const devices = sample('lsblk-json-3cols-fedora-vm-sr0-zram-gpt-luks.json');
    expect(tree(devices)).toEqual([
      '/dev/sr0 rom -',
      '/dev/zram0 ? -',
      '/dev/vda ? -',
      '  /dev/vda1 part -',
      '  /dev/vda2 part -',
      '  /dev/vda3 part -',
      '    /dev/mapper/luks-df2d5f95-5725-44dd-83e1-81bc4cdc49b8 dm -',
    ]);
  });

  it('rebuilds the tree of a flat list with TYPE', () => {
    const devices = sample('lsblk-json-bytes-few-cols-ubuntu-sata-ssd-many-empty-loops.json');
    const sda = find(devices, '/dev/sda');
    expect(tree([sda])).toEqual([
      '/dev/sda disk 500107862016',
      '  /dev/sda1 part 268435456',
      '  /dev/sda2 part 499838361088',
    ]);
    expect(devices.filter((device) => device.type === 'loop').length).toBeGreaterThan(30);
  });
});

describe('parseLsblk, pairs (-P)', () => {
  it('puts LVM volumes under their partition and reads an empty SIZE as unknown', () => {
    const devices = sample('lsblk-pairs-bytes-centos-lvm-usb-nopt.txt');
    expect(tree(devices)).toEqual([
      'sda disk 240065183744',
      '  sda1 part 209715200',
      '  sda2 part 1073741824',
      '  sda3 part 115835142144',
      '    centos-root lvm 53687091200',
      '    centos-swap lvm 8455716864',
      '    centos-home lvm 53687091200',
      'sdb disk -',
      'sdc disk 31457280000',
    ]);
    expect(find(devices, 'centos-root').mountPoints).toEqual(['/']);
    expect(find(devices, 'sdc').mountPoints).toEqual(['/run/media/DA2E4172/BUILD']);
    expect(find(devices, 'sdb').removable).toBe(true);
  });

  it('lists an md array under each of its members, and partitions of the array under it', () => {
    const devices = sample('lsblk-pairs-human-11cols-intel-imsm-mdraid1-partitioned-sata.txt');
    expect(tree(devices)).toEqual([
      '/dev/sdb disk 160094905958~',
      '  /dev/md126 raid1 159987531776~',
      '    /dev/md126p3 md 157410551398~',
      '    /dev/md126p1 md 524288000~',
      '    /dev/md126p2 md 2147483648~',
      '/dev/sdc disk 160094905958~',
      '  /dev/md126 raid1 159987531776~',
      '    /dev/md126p3 md 157410551398~',
      '    /dev/md126p1 md 524288000~',
      '    /dev/md126p2 md 2147483648~',
      '/dev/sda disk 320082437734~',
    ]);
    expect(find(devices, '/dev/sdc')).toMatchObject({
      model: 'SAMSUNG HM160HI',
      serial: 'S1WWJ9BZ408430',
      vendor: 'ATA',
      transport: 'sata',
      fsType: 'isw_raid_member',
    });
  });

  it('puts LUKS mappings under their partitions', () => {
    const devices = sample('lsblk-pairs-human-11cols-qemu-luks-system-disk-btrfs.txt');
    expect(tree([find(devices, '/dev/sdc')])).toEqual([
      '/dev/sdc disk 8589934592~',
      '  /dev/sdc2 part 859832320~',
      '    /dev/mapper/luks-3efae1ba-dbdf-4102-8bdc-e607e3448a7d crypt 857735168~',
      '  /dev/sdc3 part 7194070221~',
      '    /dev/mapper/luks-315111a6-8d37-447a-8dbf-0c9026abc456 crypt 7194070221~',
      '  /dev/sdc1 part 524288000~',
    ]);
    expect(find(devices, '/dev/sr0').type).toBe('rom');
  });

  it('reads MBR logical partitions and rom, ram and loop devices', () => {
    const devices = sample('lsblk-pairs-human-ubuntu1404-vm-floppy-cdrom.txt');
    expect(tree(devices).slice(0, 6)).toEqual([
      'fd0 disk -',
      'sda disk 34359738368~',
      '  sda1 part 32212254720~',
      '  sda2 part 1024~',
      '  sda5 part 2147483648~',
      'sr0 rom 1073741824~',
    ]);
    expect(devices.filter((device) => device.name.startsWith('ram'))).toHaveLength(16);
  });

  it('decodes the \\xHH escapes lsblk writes for spaces, newlines and non-ASCII bytes', () => {
    // No device here has a label that needs escaping, so this line is written by hand the way
    // lsblk -P escapes (util-linux's fputs_quoted): \x20 space, \x0a newline, UTF-8 bytes.
    const line =
      'NAME="sdb1" TYPE="part" SIZE="1024" LABEL="d\\xc3\\xa5ta\\x20disk" MOUNTPOINTS="/mnt/a\\x0a/mnt/b\\x22q"';
    const [device] = parseLsblk(line);
    expect(device?.label).toBe('dåta disk');
    expect(device?.mountPoints).toEqual(['/mnt/a', '/mnt/b"q']);
  });
});

describe('parseLsblk, bad output', () => {
  it.each([
    ['truncated JSON', '{"blockdevices": [{"name": "sda"', /not JSON/],
    ['JSON without blockdevices', '{"devices": []}', /no "blockdevices" list/],
    ['a device that is not an object', '{"blockdevices": [42]}', /not an object/],
    ['a device without a name', '{"blockdevices": [{"size": 1}]}', /without NAME/],
    [
      'children that are not a list',
      '{"blockdevices": [{"name": "sda", "children": 1}]}',
      /not a list/,
    ],
    ['text that is not pairs', 'lsblk: unknown column: PARTN', /not KEY="value" pairs/],
  ])('rejects %s with a FerryError', (_name, output, message) => {
    let thrown: unknown;
    try {
      parseLsblk(output, 'lsblk');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(FerryError);
    expect((thrown as FerryError).code).toBe('TOOL_OUTPUT');
    expect((thrown as FerryError).message).toMatch(message);
  });

  it('rejects hostile nesting with a FerryError', () => {
    let json = '{"name": "x"}';
    for (let i = 0; i < 100; i++) json = `{"name": "x${i}", "children": [${json}]}`;
    expect(() => parseLsblk(`{"blockdevices": [${json}]}`)).toThrow(FerryError);
  });
});

describe.skipIf(process.platform !== 'linux')('parseLsblk on this machine', () => {
  it('reads the same devices from --json and from -P', async () => {
    const json = parseLsblk(await sh('lsblk', ['--json', '--bytes', '--output-all']));
    const pairs = parseLsblk(
      await sh('lsblk', [
        '-P',
        '-b',
        '-o',
        'NAME,KNAME,TYPE,SIZE,RM,RO,LOG-SEC,PHY-SEC,MOUNTPOINT',
      ]),
    );
    const essentials = (devices: LsblkDevice[]) =>
      devices.map((device) => ({
        name: device.name,
        type: device.type,
        size: device.size,
        removable: device.removable,
        readOnly: device.readOnly,
        logicalSectorSize: device.logicalSectorSize,
        physicalSectorSize: device.physicalSectorSize,
        mountPoints: device.mountPoints.slice(0, 1),
      }));
    expect(json.length).toBeGreaterThan(0);
    expect(essentials(pairs)).toEqual(essentials(json));
  });
});
