import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Disk } from '../../shared/disks.js';
import { FerryError } from '../../shared/errors.js';
import { execaRunner, type CommandRunner } from '../io/run-command.js';
import { decodeOutput } from './decode.js';
import { disksFromLsblk, listLinuxDisks } from './linux.js';
import { parseLsblk } from './lsblk.js';
import { hostSysfs, noSysfs, type SysfsReader } from './sysfs.js';

async function disksOf(name: string, sysfs: SysfsReader = noSysfs): Promise<Disk[]> {
  const text = decodeOutput(readFileSync(`test/data/disks/linux/${name}`));
  return disksFromLsblk(parseLsblk(text, name), sysfs);
}

/**
 * One line per disk ("path size bus flags | model | serial") and per partition
 * ("number start+size filesystem mount points").
 */
function outline(disks: Disk[]): string[] {
  return disks.flatMap((disk) => {
    const flags = [disk.system && 'system', disk.removable && 'removable', disk.readOnly && 'ro'];
    const head = [disk.path, disk.size, disk.bus, ...flags.filter(Boolean)].join(' ');
    return [
      `${head} | ${disk.model ?? '-'} | ${disk.serial ?? '-'}`,
      ...disk.partitions.map((part) =>
        `  ${part.number} ${part.start}+${part.size} ${part.filesystem ?? '-'} ${part.mountPoints.join(',')}`.trimEnd(),
      ),
    ];
  });
}

describe('disksFromLsblk on recorded lsblk output', () => {
  it('lsblk --output-all, Hyper-V: the dm-verity root on sda4+sda6 makes sda the system disk; sr0 is left out', async () => {
    const disks = await disksOf('lsblk-json-bytes-outputall-hyperv-verity-crypt-cdrom.json');
    expect(outline(disks)).toEqual([
      '/dev/sda 16106127360 scsi system | Msft Virtual Disk | -',
      '  1 1048576+8388608 - /boot/efi',
      '  2 9437184+268435456 - /boot',
      '  3 277872640+268435456 -',
      '  4 546308096+4294967296 - /',
      '  5 4841275392+4294967296 -',
      '  6 9136242688+134217728 - /',
      '  7 9270460416+134217728 -',
      '  8 9404678144+1073741824 - /var',
      '  9 10478419968+1073741824 -',
      '  10 11552161792+33554432 - /var/lib/trident-overlay',
      '  11 11585716224+33554432 -',
      '  12 11619270656+536870912 - /var/lib/trident',
      '  13 12156141568+1073741824 - /home',
      '  14 13229883392+2875195392 - /srv',
    ]);
    // The verity root's filesystem is used through the partition it sits on.
    expect(disks[0]?.partitions[3]?.usedBytes).toBe(499642368);
  });

  it('lsblk 2.37 --output-all --paths, NVMe: types, filesystems, used bytes', async () => {
    const disks = await disksOf(
      'lsblk-json-bytes-outputall-paths-nvme-samsung-lsblk237-reindented.json',
    );
    expect(outline(disks)).toEqual([
      '/dev/nvme0n1 512110190592 nvme system | SAMSUNG MZVPV512HDGL-000H1 | S27FNYAH407000',
      '  1 0+536870912 fat32 /boot/efi',
      '  2 0+511571918848 ext4 /var/snap/firefox/common/host-hunspell,/',
    ]);
    expect(disks[0]?.partitions[0]).toMatchObject({
      path: '/dev/nvme0n1p1',
      type: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b',
      uuid: '84A0-088E',
      usedBytes: 6369280,
    });
    expect(disks[0]?.partitions[1]?.usedBytes).toBe(416664305664);
  });

  it('lsblk 2.40 --output-all --paths, QEMU SATA', async () => {
    const disks = await disksOf('lsblk-json-bytes-outputall-paths-qemu-sata-azl3.json');
    expect(outline(disks)).toEqual([
      '/dev/sda 17179869184 sata system | QEMU HARDDISK | -',
      '  1 1048576+52428800 fat /boot/efi',
      '  2 53477376+4294967296 ext4 /',
      '  3 4348444672+4294967296 -',
      '  4 8643411968+2147483648 swap [SWAP]',
      '  5 10790895616+104857600 ext4 /var/lib/trident',
    ]);
    expect(disks[0]?.partitions[1]).toMatchObject({
      type: '4f68bce3-e8cd-4db1-96e7-fbcaf984b709',
      uuid: 'f3c65403-dafc-4dbf-873a-c17d6fb98a2f',
      usedBytes: 1102053376,
    });
    expect(disks[0]?.partitions[3]?.usedBytes).toBeNull();
  });

  it('lsblk --output-all, build host: / is on an image loop, so no physical disk is the system; LVM shows through', async () => {
    const disks = await disksOf('lsblk-json-bytes-outputall-sata-nvme-lvm-loop-snap.json');
    expect(outline(disks)).toEqual([
      '/dev/sda 512110190592 sata | MTFDDAK512MBF-1A | -',
      '  1 1048576+1127219200 fat',
      '  2 1128267776+510980521984 ext4',
      '/dev/nvme0n1 512110190592 nvme | SAMSUNG MZVPV512HDGL-000H1 | S27FNYAH406993',
      '  1 1048576+536870912 fat',
      '  2 537919488+511571918848 lvm2 /_imageconfigs',
    ]);
    expect(disks[1]?.partitions[1]?.type).toBe('e6d6d379-f507-44c2-a23c-238f2a3df928');
    expect(disks[1]?.partitions[1]?.usedBytes).toBe(170235727872);
  });

  it('lsblk --output-all, ostree VM: no / in the tree, /sysroot decides', async () => {
    const disks = await disksOf('lsblk-json-bytes-outputall-virtio-vm-ostree.json');
    expect(outline(disks)).toEqual([
      '/dev/vda 10737418240 virtio system | - | -',
      '  1 1048576+1048576 -',
      '  2 2097152+536870912 fat32',
      '  3 538968064+10197401600 ext4 /var,/sysroot/ostree/deploy/default/var,/etc,/boot,/sysroot',
    ]);
    expect(disks[0]?.partitions[1]?.label).toBe('EFI-SYSTEM');
  });

  it('few columns, Raspberry Pi: a USB stick without partition table and the SD card', async () => {
    expect(
      outline(
        await disksOf('lsblk-json-bytes-few-cols-raspberrypi-mmcblk-usb-stick-removable.json'),
      ),
    ).toEqual([
      "/dev/sda 15682240512 usb removable | SanDisk' Cruzer_Fit | -",
      '/dev/mmcblk0 30989615104 mmc | - | -',
      '  1 0+268435456 -',
      '  2 0+30716985344 -',
    ]);
  });

  it('few columns, Raspberry Pi: a USB disk that is not "rm" is still removable', async () => {
    expect(
      outline(await disksOf('lsblk-json-bytes-few-cols-raspberrypi-mmcblk-usb-msata-adapter.json')),
    ).toEqual([
      '/dev/sda 128035676160 usb removable | SAMSUNG SSD_PM830_mSATA | -',
      '  1 0+12623921664 -',
      '/dev/mmcblk0 30989615104 mmc | - | -',
      '  1 0+268435456 -',
      '  2 0+30716985344 -',
    ]);
  });

  it('few columns, VirtualBox: snap loops and the CD-ROM are left out', async () => {
    expect(
      outline(await disksOf('lsblk-json-bytes-few-cols-virtualbox-ubuntu-snap-loops-cdrom.json')),
    ).toEqual([
      '/dev/sda 274877906944 sata | VBOX HARDDISK | -',
      '  1 0+1048576 -',
      '  2 0+274874761216 -',
    ]);
  });

  it('few columns, flat list with dozens of empty loops', async () => {
    expect(
      outline(await disksOf('lsblk-json-bytes-few-cols-ubuntu-sata-ssd-many-empty-loops.json')),
    ).toEqual([
      '/dev/sda 500107862016 unknown | WDC_WDS500G2B0B-00YS70 | -',
      '  1 0+268435456 -',
      '  2 0+499838361088 -',
    ]);
  });

  it('lsblk 2.32, ChromeOS VM: string sizes, the dm on loop0 is left out, twelve partitions', async () => {
    const disks = await disksOf('lsblk-json-bytes-few-cols-lsblk232-chromeos-vm-loop-dm.json');
    expect(disks.map((disk) => disk.path)).toEqual(['/dev/sda']);
    expect(disks[0]?.partitions.map((part) => [part.number, part.size])).toEqual([
      [1, 4295023104],
      [2, 67108864],
      [3, 2147483648],
      [4, 67108864],
      [5, 2097152],
      [6, 512],
      [7, 512],
      [8, 16777216],
      [9, 512],
      [10, 512],
      [11, 8388608],
      [12, 134217728],
    ]);
  });

  it('lsblk 2.36, two NVMe disks, one without partitions', async () => {
    expect(outline(await disksOf('lsblk-json-bytes-few-cols-lsblk2361-dual-nvme.json'))).toEqual([
      '/dev/nvme1n1 1000204886016 nvme | - | -',
      '/dev/nvme0n1 1024209543168 nvme | - | -',
      '  1 0+2000000000 -',
      '  2 0+2000000000 -',
      '  3 0+1020208477696 -',
    ]);
  });

  it('PATH, PTTYPE, PARTTYPENAME only: without sizes (and without sysfs) nothing can be listed', async () => {
    expect(await disksOf('lsblk-json-3cols-fedora-vm-sr0-zram-gpt-luks.json')).toEqual([]);
  });

  it('human sizes: approximate, partitions in number order, the USB stick with a whole-disk filesystem', async () => {
    expect(outline(await disksOf('lsblk-json-human-nvme-usb-nopt.json'))).toEqual([
      '/dev/sda 15354508083 unknown removable | - | -',
      '/dev/nvme0n1 512174850048 nvme system | - | -',
      '  1 0+536870912 - /boot/efi',
      '  2 0+494672858317 - /',
      '  3 0+16965120819 - [SWAP]',
    ]);
  });

  it('-P, CentOS: / on LVM makes sda the system disk; the empty card reader is left out', async () => {
    expect(outline(await disksOf('lsblk-pairs-bytes-centos-lvm-usb-nopt.txt'))).toEqual([
      '/dev/sda 240065183744 unknown system | - | -',
      '  1 0+209715200 - /boot/efi',
      '  2 0+1073741824 - /boot',
      '  3 0+115835142144 - /,[SWAP],/home',
      '/dev/sdc 31457280000 unknown removable | - | -',
    ]);
  });

  it('-P, Ubuntu 14.04: ram and loop devices are left out', async () => {
    expect(outline(await disksOf('lsblk-pairs-bytes-ubuntu1404-sata-gpt-ram-loop.txt'))).toEqual([
      '/dev/sda 1024209543168 unknown system | - | -',
      '  1 0+524288000 - /boot/efi',
      '  2 0+41943040 -',
      '  3 0+3221225472 -',
      '  4 0+235291017216 - /',
      '  5 0+16980639744 - [SWAP]',
      '  6 0+549755813888 - /home',
      '  7 0+218392166400 -',
    ]);
  });

  it('-P, Ubuntu 14.04: MBR logical partitions, two empty readers, a USB stick, / on NVMe', async () => {
    expect(outline(await disksOf('lsblk-pairs-human-ubuntu1404-mbr-nvme-usb.txt'))).toEqual([
      '/dev/sda 1000190509056 unknown | - | -',
      '  1 0+1024 -',
      '  2 0+524308132659 -',
      '  5 0+15998753178 -',
      '  6 0+359918259405 -',
      '/dev/sdd 7945689498 unknown removable | - | -',
      '  1 0+7945689498 - /media/<username>/85CA-6700',
      '/dev/nvme0n1 256087425024 nvme system | - | -',
      '  1 0+523239424 -',
      '  2 0+125198296678 -',
      '  3 0+5261334938 -',
      '  4 0+125090922496 - /',
    ]);
  });

  it('-P, VM: the empty floppy drive, the CD-ROM and ram disks are left out', async () => {
    expect(outline(await disksOf('lsblk-pairs-human-ubuntu1404-vm-floppy-cdrom.txt'))).toEqual([
      '/dev/sda 34359738368 unknown system | - | -',
      '  1 0+32212254720 - /',
      '  2 0+1024 -',
      '  5 0+2147483648 - [SWAP]',
    ]);
  });

  it('-P, Intel firmware RAID1: the members are listed, the md array is not', async () => {
    expect(
      outline(await disksOf('lsblk-pairs-human-11cols-intel-imsm-mdraid1-partitioned-sata.txt')),
    ).toEqual([
      '/dev/sdb 160094905958 sata | TOSHIBA MK1652GS | Z8A9CAZUT',
      '/dev/sdc 160094905958 sata | SAMSUNG HM160HI | S1WWJ9BZ408430',
      '/dev/sda 320082437734 sata | WDC WD3200AAKS-7 | WD-WMAV20342011',
    ]);
  });

  it('-P, LUKS: the encrypted partitions are listed as luks; without MOUNTPOINT no disk is known as system', async () => {
    expect(
      outline(await disksOf('lsblk-pairs-human-11cols-qemu-luks-system-disk-btrfs.txt')),
    ).toEqual([
      '/dev/sdb 5368709120 sata | QEMU HARDDISK | 2',
      '/dev/sdc 8589934592 sata | QEMU HARDDISK | QM00013',
      '  1 0+524288000 ext4',
      '  2 0+859832320 luks',
      '  3 0+7194070221 luks',
      '/dev/sda 5368709120 sata | QEMU HARDDISK | 1',
    ]);
  });

  it('-P, Linux md RAID1 over partitions: both members with their raid partitions', async () => {
    const disks = await disksOf('lsblk-pairs-human-11cols-qemu-mdraid1-system-disk.txt');
    expect(outline(disks)).toEqual([
      '/dev/sdb 8589934592 sata | QEMU HARDDISK | md-serial-2',
      '  1 0+6120328397 linux_raid_member',
      '  2 0+1000341504 linux_raid_member',
      '  3 0+1503238554 linux_raid_member',
      '/dev/sda 8589934592 sata | QEMU HARDDISK | md-serial-1',
      '  1 0+6120328397 linux_raid_member',
      '  2 0+1000341504 linux_raid_member',
      '  3 0+1503238554 linux_raid_member',
    ]);
    expect(disks[1]?.partitions[0]).toMatchObject({ label: 'rockstor:root', path: '/dev/sda1' });
  });

  it('an md RAID1 that holds / makes every member a system disk', async () => {
    const lines = readFileSync(
      'test/data/disks/linux/lsblk-pairs-human-11cols-qemu-mdraid1-system-disk.txt',
      'utf8',
    );
    // The Rockstor sample has no MOUNTPOINT column; the same tree with md127 mounted at /.
    const mounted = lines.replace(/(NAME="\/dev\/md127" .*)$/gm, '$1 MOUNTPOINT="/"');
    const disks = await disksFromLsblk(parseLsblk(mounted), noSysfs);
    expect(disks.map((disk) => [disk.path, disk.system])).toEqual([
      ['/dev/sdb', true],
      ['/dev/sda', true],
    ]);
    expect(disks[0]?.partitions[0]?.mountPoints).toEqual(['/']);
  });

  it('fills what lsblk lacks from sysfs: exact size, start, sector sizes, serial', async () => {
    // A stand-in for /sys/class/block, answering for the sample's sda and sda1.
    const attributes: Record<string, string> = {
      'sda/size': '67108864',
      'sda/queue/logical_block_size': '512',
      'sda/queue/physical_block_size': '4096',
      'sda/serial': 'VB-1234',
      'sda1/start': '2048',
      'sda1/size': '62914560',
    };
    const sysfs: SysfsReader = (name, attribute) =>
      Promise.resolve(attributes[`${name}/${attribute}`] ?? null);
    const [disk] = await disksOf('lsblk-pairs-human-ubuntu1404-vm-floppy-cdrom.txt', sysfs);
    expect(disk).toMatchObject({
      size: 34359738368,
      logicalSectorSize: 512,
      physicalSectorSize: 4096,
      serial: 'VB-1234',
    });
    expect(disk?.partitions[0]).toMatchObject({ start: 1048576, size: 32212254720 });
  });
});

describe('listLinuxDisks: running lsblk', () => {
  const ok = (stdout: string) => ({
    exitCode: 0,
    stdout: Buffer.from(stdout),
    stderr: Buffer.alloc(0),
  });
  const failed = (stderr: string) => ({
    exitCode: 1,
    stdout: Buffer.alloc(0),
    stderr: Buffer.from(stderr),
  });

  it.skipIf(process.platform !== 'linux')(
    'falls back to -P with the basic columns on an lsblk without --json, and finds the same disks here',
    async () => {
      const calls: string[] = [];
      const oldLsblk: CommandRunner = (file, args) => {
        calls.push([file, ...args].join(' '));
        if (args.includes('--json'))
          return Promise.resolve(failed("lsblk: unrecognized option '--json'"));
        if (args.some((arg) => arg.includes('TRAN')))
          return Promise.resolve(failed('lsblk: unknown column: TRAN'));
        return execaRunner(file, args);
      };
      const viaPairs = await listLinuxDisks(oldLsblk, hostSysfs);
      expect(calls).toHaveLength(3);
      expect(viaPairs).toEqual(await listLinuxDisks(execaRunner, hostSysfs));
    },
  );

  it('names the missing tool', async () => {
    const missing: CommandRunner = () =>
      Promise.reject(Object.assign(new Error('spawn lsblk ENOENT'), { code: 'ENOENT' }));
    const error = await listLinuxDisks(missing, noSysfs).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FerryError);
    expect(error).toMatchObject({
      code: 'TOOL_MISSING',
      where: 'lsblk --json --bytes --output-all',
      hint: 'install util-linux (it provides lsblk)',
    });
  });

  it('reports the last failure when every form of lsblk fails', async () => {
    const broken: CommandRunner = () =>
      Promise.resolve(failed('lsblk: failed to access sysfs directory'));
    const error = await listLinuxDisks(broken, noSysfs).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'TOOL_OUTPUT' });
    expect((error as FerryError).message).toContain('failed to access sysfs directory');
    expect((error as FerryError).where).toMatch(/^lsblk -P -b -o NAME,KNAME,TYPE/);
  });

  it('turns malformed output into TOOL_OUTPUT', async () => {
    const garbage: CommandRunner = () => Promise.resolve(ok('{"blockdevices": [{"name": "sda"'));
    await expect(listLinuxDisks(garbage, noSysfs)).rejects.toMatchObject({ code: 'TOOL_OUTPUT' });
  });
});
