import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FerryError } from '../../shared/errors.js';
import { sh } from '../../test/fixtures/cache.js';
import {
  linuxDeviceNumbers,
  linuxGeometry,
  macosDevicePaths,
  macosGeometry,
  parseBlockdev,
  parseDiskutilInfo,
  parseGetDiskJson,
  windowsDiskNumber,
  windowsGeometry,
} from './device-geometry.js';
import type { CommandRunner } from './run-command.js';

const MACOS_FIXTURES = '/work/shared/fixtures/disks/macos';

/** A runner that answers every command with `result` and remembers what it was asked. */
function recordingRunner(result: { stdout?: string; stderr?: string; exitCode?: number }) {
  const calls: { file: string; args: readonly string[] }[] = [];
  const run: CommandRunner = async (file, args) => {
    calls.push({ file, args });
    return {
      exitCode: result.exitCode ?? 0,
      stdout: Buffer.from(result.stdout ?? ''),
      stderr: Buffer.from(result.stderr ?? ''),
    };
  };
  return { run, calls };
}

describe('macOS: diskutil info -plist', () => {
  it.each([
    ['diskutil-info-disk0-intel-nvme-physical.plist', 512110190592, 512],
    ['diskutil-info-disk1-apfs-container-synthesized.plist', 511900434432, 4096],
    ['diskutil-info-disk2-usb-stick-sandisk-cruzer.plist', 15682240512, 512],
  ])('reads Size and DeviceBlockSize from %s', async (file, size, sectorSize) => {
    const xml = await readFile(join(MACOS_FIXTURES, file), 'utf8');
    expect(parseDiskutilInfo(xml, '/dev/disk0')).toEqual({ size, sectorSize });
  });

  it('reads a 4Kn external disk (written by hand after the recorded plists)', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>BusProtocol</key>
	<string>USB</string>
	<key>DeviceBlockSize</key>
	<integer>4096</integer>
	<key>DeviceIdentifier</key>
	<string>disk4</string>
	<key>DeviceNode</key>
	<string>/dev/disk4</string>
	<key>IOKitSize</key>
	<integer>8001563222016</integer>
	<key>Size</key>
	<integer>8001563222016</integer>
	<key>TotalSize</key>
	<integer>8001563222016</integer>
	<key>VirtualOrPhysical</key>
	<string>Physical</string>
	<key>WholeDisk</key>
	<true/>
</dict>
</plist>
`;
    expect(parseDiskutilInfo(xml, '/dev/disk4')).toEqual({ size: 8001563222016, sectorSize: 4096 });
  });

  it('turns diskutil’s own error plist into SOURCE_NOT_FOUND with its message', async () => {
    const xml = await readFile(
      join(MACOS_FIXTURES, 'diskutil-info-error-network-volume-not-a-disk.plist'),
      'utf8',
    );
    const { run } = recordingRunner({ stdout: xml, exitCode: 1 });
    const error = await macosGeometry('/dev/disk9', run).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SOURCE_NOT_FOUND', where: '/dev/disk9' });
    expect((error as FerryError).message).toContain('Could not find disk: /Volumes/SMB');
  });

  it('asks diskutil about /dev/diskN and reads through /dev/rdiskN', async () => {
    const xml = await readFile(
      join(MACOS_FIXTURES, 'diskutil-info-disk2-usb-stick-sandisk-cruzer.plist'),
      'utf8',
    );
    const { run, calls } = recordingRunner({ stdout: xml });
    expect(await macosGeometry('/dev/rdisk2', run)).toEqual({ size: 15682240512, sectorSize: 512 });
    expect(calls).toEqual([{ file: 'diskutil', args: ['info', '-plist', '/dev/disk2'] }]);
    expect(macosDevicePaths('/dev/disk2')).toEqual({ query: '/dev/disk2', raw: '/dev/rdisk2' });
    expect(macosDevicePaths('/dev/disk2s1')).toEqual({
      query: '/dev/disk2s1',
      raw: '/dev/rdisk2s1',
    });
    expect(macosDevicePaths('/Volumes/x.img')).toEqual({
      query: '/Volumes/x.img',
      raw: '/Volumes/x.img',
    });
  });

  it.each([
    ['not XML at all', 'diskutil: command not understood'],
    ['no dictionary', '<?xml version="1.0"?><plist version="1.0"><array/></plist>'],
    [
      'a missing DeviceBlockSize',
      '<plist version="1.0"><dict><key>Size</key><integer>1024</integer></dict></plist>',
    ],
    [
      'a sector size that is no power of two',
      '<plist version="1.0"><dict><key>Size</key><integer>1024</integer><key>DeviceBlockSize</key><integer>520</integer></dict></plist>',
    ],
  ])('refuses %s with a FerryError', (_what, xml) => {
    expect(() => parseDiskutilInfo(xml, '/dev/disk2')).toThrow(FerryError);
  });

  it('reports a failing diskutil that printed nothing as TOOL_OUTPUT', async () => {
    const { run } = recordingRunner({ exitCode: 1, stderr: 'diskutil: did not work\n' });
    await expect(macosGeometry('/dev/disk2', run)).rejects.toMatchObject({ code: 'TOOL_OUTPUT' });
  });
});

describe('Windows: Get-Disk | ConvertTo-Json', () => {
  // Written by hand in the shapes the two PowerShells print: Windows PowerShell 5.1 indents by
  // four and puts two spaces after the colon, with CRLF; PowerShell 7 indents by two.
  const windowsPowerShell =
    '{\r\n    "Size":  2000398934016,\r\n    "LogicalSectorSize":  512\r\n}\r\n';
  const powerShell7 = '{\n  "Size": 960197124096,\n  "LogicalSectorSize": 4096\n}\n';

  it('reads Size and LogicalSectorSize', () => {
    expect(parseGetDiskJson(windowsPowerShell, 'x')).toEqual({
      size: 2000398934016,
      sectorSize: 512,
    });
    expect(parseGetDiskJson(powerShell7, 'x')).toEqual({ size: 960197124096, sectorSize: 4096 });
    expect(parseGetDiskJson(`\uFEFF${powerShell7}`, 'x')).toEqual({
      size: 960197124096,
      sectorSize: 4096,
    });
  });

  it('runs PowerShell without profile or prompts for the disk number in the path', async () => {
    const { run, calls } = recordingRunner({ stdout: windowsPowerShell });
    expect(await windowsGeometry('\\\\.\\PhysicalDrive3', run)).toEqual({
      size: 2000398934016,
      sectorSize: 512,
    });
    expect(calls).toEqual([
      {
        file: 'powershell.exe',
        args: [
          '-NoProfile',
          '-NonInteractive',
          '-Command',
          'Get-Disk -Number 3 | Select-Object Size,LogicalSectorSize | ConvertTo-Json',
        ],
      },
    ]);
  });

  it.each([
    ['no JSON', 'Get-Disk : No MSFT_Disk objects found'],
    ['an array of disks', `[${'{"Size":1,"LogicalSectorSize":512}'}]`],
    ['a size as text', '{"Size":"2000398934016","LogicalSectorSize":512}'],
    ['a size beyond 2^53', '{"Size":90071992547409930,"LogicalSectorSize":512}'],
    ['a zero sector size', '{"Size":1048576,"LogicalSectorSize":0}'],
    ['a card reader without a card', '{"Size":0,"LogicalSectorSize":512}'],
  ])('refuses %s with a FerryError', (_what, stdout) => {
    expect(() => parseGetDiskJson(stdout, 'x')).toThrow(FerryError);
  });

  it('reports a failing Get-Disk with the first line of its error', async () => {
    const { run } = recordingRunner({
      exitCode: 1,
      stderr:
        "Get-Disk : No MSFT_Disk objects found with property 'Number' equal to '7'.\r\nAt line:1",
    });
    const error = await windowsGeometry('\\\\.\\PhysicalDrive7', run).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TOOL_OUTPUT', where: '\\\\.\\PhysicalDrive7' });
    expect((error as FerryError).message).toContain("equal to '7'");
    expect((error as FerryError).message).not.toContain('\n');
  });

  it('accepts only \\\\.\\PhysicalDriveN', () => {
    expect(windowsDiskNumber('\\\\.\\PHYSICALDRIVE12')).toBe(12);
    for (const path of ['C:\\', '\\\\.\\C:', 'PhysicalDrive0', '\\\\.\\PhysicalDrive']) {
      expect(() => windowsDiskNumber(path)).toThrow(FerryError);
    }
  });
});

describe('Linux', () => {
  it('splits dev_t into major and minor as the kernel packs them (checked on real nodes)', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'ferry-devt-'));
    try {
      const cases: [number, number][] = [
        [1, 3],
        [8, 17],
        [259, 5],
        [4095, 255],
        [4095, 1048575],
        [300, 70000],
      ];
      for (const [major, minor] of cases) {
        const node = join(scratch, `b-${major}-${minor}`);
        await sh('mknod', [node, 'b', String(major), String(minor)]);
        const { rdev } = await stat(node, { bigint: true });
        expect(linuxDeviceNumbers(rdev)).toEqual({ major: BigInt(major), minor: BigInt(minor) });
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it('reads blockdev’s two numbers: bytes, then the logical sector size', () => {
    expect(parseBlockdev('8388608\n4096\n', '/dev/loop0')).toEqual({
      size: 8388608,
      sectorSize: 4096,
    });
    for (const bad of ['', '8388608\n', 'x\n512\n', '8388608\n512\n9\n', '-1\n512\n']) {
      expect(() => parseBlockdev(bad, '/dev/loop0')).toThrow(FerryError);
    }
  });

  it('falls back to blockdev where sysfs cannot be read', async () => {
    const { run, calls } = recordingRunner({ stdout: '1000204886016\n512\n' });
    const geometry = await linuxGeometry('/dev/sdz', 0x830n, {
      readText: () => Promise.reject(new Error('ENOENT')),
      run,
    });
    expect(geometry).toEqual({ size: 1000204886016, sectorSize: 512 });
    expect(calls).toEqual([{ file: 'blockdev', args: ['--getsize64', '--getss', '/dev/sdz'] }]);
  });

  it('says TOOL_MISSING when blockdev is needed and not installed', async () => {
    const missing: CommandRunner = () =>
      Promise.reject(Object.assign(new Error('spawn blockdev ENOENT'), { code: 'ENOENT' }));
    const error = await linuxGeometry('/dev/sdz', 0x830n, {
      readText: () => Promise.reject(new Error('ENOENT')),
      run: missing,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(FerryError);
    expect(error).toMatchObject({
      code: 'TOOL_MISSING',
      where: 'blockdev --getsize64 --getss /dev/sdz',
      hint: 'make sure blockdev is installed and on the PATH',
    });
  });
});
