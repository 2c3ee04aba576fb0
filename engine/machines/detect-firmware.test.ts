import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { biosBootDisk, uefiBootDisk } from '../../test/fixtures/boot.js';
import { bash, cachedImage } from '../../test/fixtures/cache.js';
import { gptDisk } from '../../test/fixtures/disks.js';
import { fatImage } from '../../test/fixtures/fat.js';
import {
  linuxGuestDisk,
  windows11GuestDisk,
  windowsGuestDisk,
} from '../../test/fixtures/guest-disks.js';
import { bufferSource } from '../../test/fixtures/tables.js';
import { readLayout } from '../inspect.js';
import { openSource } from '../io/open-source.js';
import type { BlockSource } from '../io/source.js';
import { detectFirmware, type FirmwareDetection } from './detect-firmware.js';

const SYSTEMD_BOOT = '/usr/lib/systemd/boot/efi/systemd-bootx64.efi';
const ESP_START = 1024 * 1024;

/** A file put in the ESP: a real UEFI application, or a few bytes of text under a loader's name. */
type EspFile = [path: string, content: 'pe' | 'text'];

/**
 * A 12 MiB disk whose partition 1 is an 8 MiB ESP at 1 MiB: the sfdisk script `table`, then (when
 * `files` is given) FAT16 made by mkfs.fat with the files copied in by mmd/mcopy.
 */
function espDisk(name: string, table: string, files: EspFile[] | null): Promise<string> {
  const folders = [...new Set((files ?? []).flatMap(([path]) => parents(path)))];
  const copies = (files ?? []).map(([path, content]) =>
    content === 'pe'
      ? `mcopy -i "$ESP" ${SYSTEMD_BOOT} ::${path}`
      : `echo 'not a bootloader' > text && mcopy -i "$ESP" text ::${path}`,
  );
  const script = `truncate -s 12M "$IMG"
sfdisk -q "$IMG" <<'TABLE'
${table}
TABLE
${
  files === null
    ? ''
    : `mkfs.fat --offset 2048 -F 16 -s 1 "$IMG" 8192 > /dev/null
ESP="$IMG@@${ESP_START}"
${folders.map((folder) => `mmd -i "$ESP" ::${folder}`).join('\n')}
${copies.join('\n')}`
}`;
  return cachedImage(name, (image, work) => bash(`IMG='${image}'\n${script}`, work), script);
}

/** "/EFI/BOOT/BOOTX64.EFI" -> "/EFI", "/EFI/BOOT". */
function parents(path: string): string[] {
  const names = path.split('/').slice(1, -1);
  return names.map((_, i) => `/${names.slice(0, i + 1).join('/')}`);
}

const GPT_ESP = 'label: gpt\nstart=1MiB, size=8MiB, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
const BIOS_BOOT = 'start=9MiB, size=1MiB, type=21686148-6449-6E6F-744E-656564454649';

async function firmwareOfSource(source: BlockSource): Promise<FirmwareDetection> {
  try {
    return await detectFirmware(source, (await readLayout(source)).report);
  } finally {
    await source.close();
  }
}

async function firmwareOf(image: string): Promise<FirmwareDetection> {
  return firmwareOfSource(await openSource(image));
}

describe('detectFirmware on installed systems', () => {
  it('says UEFI for Debian on GPT with a filled ESP', async () => {
    expect(await firmwareOf(await linuxGuestDisk())).toEqual({
      detected: 'uefi',
      reason: 'GPT with an EFI System partition holding \\EFI\\BOOT\\BOOTX64.EFI',
    });
  });

  it('says BIOS for Windows 10 on MBR', async () => {
    expect(await firmwareOf(await windowsGuestDisk())).toEqual({
      detected: 'bios',
      reason: 'MBR disk: BIOS boot',
    });
  });

  it('says UEFI for Windows 11 on GPT', async () => {
    expect(await firmwareOf(await windows11GuestDisk())).toEqual({
      detected: 'uefi',
      reason: 'GPT with an EFI System partition holding \\EFI\\BOOT\\BOOTX64.EFI',
    });
  });
});

describe('detectFirmware on the boot-test disks', () => {
  it('says BIOS for syslinux on MBR', async () => {
    expect(await firmwareOf(await biosBootDisk())).toEqual({
      detected: 'bios',
      reason: 'MBR disk: BIOS boot',
    });
  });

  it('says UEFI for systemd-boot on GPT', async () => {
    expect(await firmwareOf(await uefiBootDisk())).toEqual({
      detected: 'uefi',
      reason: 'GPT with an EFI System partition holding \\EFI\\BOOT\\BOOTX64.EFI',
    });
  });
});

describe('detectFirmware on EFI System partitions', () => {
  it('says BIOS for a disk without a partition table', async () => {
    expect(await firmwareOf(await fatImage(16))).toEqual({
      detected: 'bios',
      reason: 'no partition table, so no EFI System partition',
    });
  });

  it('says BIOS for a GPT whose ESP holds files but no bootloader', async () => {
    expect(await firmwareOf(await gptDisk())).toEqual({
      detected: 'bios',
      reason: 'GPT but its EFI System partition holds no bootloader',
    });
  });

  it('says UEFI for an MBR partition of type 0xEF holding BOOTX64.EFI', async () => {
    const disk = await espDisk('firmware-mbr-esp', 'label: dos\nstart=1MiB, size=8MiB, type=ef', [
      ['/EFI/BOOT/BOOTX64.EFI', 'pe'],
    ]);
    expect(await firmwareOf(disk)).toEqual({
      detected: 'uefi',
      reason: 'MBR with an EFI System partition holding \\EFI\\BOOT\\BOOTX64.EFI',
    });
  });

  it('finds a loader in a vendor folder when there is no fallback one', async () => {
    const disk = await espDisk('firmware-gpt-vendor', GPT_ESP, [
      ['/EFI/ubuntu/grub.cfg', 'text'],
      ['/EFI/ubuntu/shimx64.efi', 'pe'],
    ]);
    expect(await firmwareOf(disk)).toEqual({
      detected: 'uefi',
      reason: 'GPT with an EFI System partition holding \\EFI\\ubuntu\\shimx64.efi',
    });
  });

  it('finds Windows Boot Manager two folders down', async () => {
    const disk = await espDisk('firmware-gpt-bootmgfw', GPT_ESP, [
      ['/EFI/Microsoft/Boot/bootmgfw.efi', 'pe'],
    ]);
    expect(await firmwareOf(disk)).toEqual({
      detected: 'uefi',
      reason: 'GPT with an EFI System partition holding \\EFI\\Microsoft\\Boot\\bootmgfw.efi',
    });
  });

  it('says BIOS for GPT with a BIOS boot partition and an ESP whose loader is no PE image', async () => {
    const disk = await espDisk('firmware-gpt-bios-boot', `${GPT_ESP}\n${BIOS_BOOT}`, [
      ['/EFI/BOOT/BOOTX64.EFI', 'text'],
    ]);
    expect(await firmwareOf(disk)).toEqual({
      detected: 'bios',
      reason: 'GPT with a BIOS boot partition; its EFI System partition holds no bootloader',
    });
  });

  it('says BIOS for GPT with a BIOS boot partition and no ESP', async () => {
    const disk = await espDisk('firmware-gpt-bios-only', `label: gpt\n${BIOS_BOOT}`, null);
    expect(await firmwareOf(disk)).toEqual({
      detected: 'bios',
      reason: 'GPT with a BIOS boot partition and no EFI System partition',
    });
  });

  it('says BIOS for an ESP that was never formatted', async () => {
    const disk = await espDisk('firmware-gpt-blank-esp', GPT_ESP, null);
    expect(await firmwareOf(disk)).toEqual({
      detected: 'bios',
      reason: 'GPT but its EFI System partition holds no FAT filesystem',
    });
  });

  it('says BIOS, and why, when the ESP cannot be read', async () => {
    const disk = await readFile(
      await espDisk('firmware-gpt-damaged-esp', GPT_ESP, [['/EFI/BOOT/BOOTX64.EFI', 'pe']]),
    );
    // The root directory's entry for EFI, its first cluster sent far past the end of the volume.
    const entry = disk.indexOf('EFI        \x10', ESP_START, 'latin1');
    expect(entry).toBeGreaterThan(ESP_START);
    disk.writeUInt16LE(0xfff0, entry + 26);
    const found = await firmwareOfSource(bufferSource(disk, 'damaged.img'));
    expect(found.detected).toBe('bios');
    expect(found.reason).toMatch(/^GPT but its EFI System partition could not be read \(.+\)$/);
  });
});
