import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CommandOutput, CommandRunner } from '../io/run-command.js';
import { listWindowsDisks } from './windows.js';

const bytes = (name: string) => readFileSync(`test/data/disks/windows/${name}`);
const ok = (stdout: Buffer): CommandOutput => ({ exitCode: 0, stdout, stderr: Buffer.alloc(0) });
const failed = (stderr: string): CommandOutput => ({
  exitCode: 1,
  stdout: Buffer.alloc(0),
  stderr: Buffer.from(stderr),
});
const missing = (file: string) =>
  Promise.reject(Object.assign(new Error(`spawn ${file} ENOENT`), { code: 'ENOENT' }));

/** What Windows PowerShell 5.1 says on Windows 7, where the Storage module does not exist. */
const NO_GET_DISK =
  "Get-Disk : The term 'Get-Disk' is not recognized as the name of a cmdlet, function, script file, or operable program.";

describe('listWindowsDisks', () => {
  it('runs one PowerShell with -NoProfile -NonInteractive and reads its JSON', async () => {
    const calls: string[][] = [];
    const output = JSON.stringify({
      disks: JSON.parse(
        bytes('cim-msft-disk-select-json-ws2022-ec2-3x-nvme-ebs-EXCERPT-EDITED.json').toString(),
      ),
      partitions: [],
      volumes: JSON.parse(
        bytes('cim-win32-volume-and-mountpoint-json-compress-ws2022-folder-mount.json').toString(),
      ),
    });
    const run: CommandRunner = (file, args) => {
      calls.push([file, ...args]);
      return Promise.resolve(ok(Buffer.from(output)));
    };
    const disks = await listWindowsDisks(run);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.slice(0, 4)).toEqual([
      'powershell.exe',
      '-NoProfile',
      '-NonInteractive',
      '-Command',
    ]);
    expect(calls[0]?.[4]).toMatch(/Get-Disk .*Get-Partition .*Get-Volume .*ConvertTo-Json/);
    expect(calls[0]?.[4]).not.toMatch(/"/);
    expect(disks.map((disk) => [disk.path, disk.system])).toEqual([
      ['\\\\.\\PhysicalDrive0', true],
      ['\\\\.\\PhysicalDrive1', false],
      ['\\\\.\\PhysicalDrive2', false],
    ]);
  });

  it('falls back to wmic where Get-Disk does not exist (Windows 7)', async () => {
    const calls: string[] = [];
    const run: CommandRunner = (file, args) => {
      calls.push([file, ...args.slice(0, 2)].join(' '));
      if (file === 'powershell.exe') return Promise.resolve(failed(NO_GET_DISK));
      const what = args.join(' ');
      if (what.startsWith('diskdrive')) {
        return Promise.resolve(
          ok(bytes('wmic-win32-diskdrive-list-win7-virtualbox-ide-plus-vhd.txt')),
        );
      }
      if (what.startsWith('logicaldisk')) {
        return Promise.resolve(ok(bytes('wmic-win32-logicaldisk-list-win7-virtualbox.txt')));
      }
      if (what.startsWith('os'))
        return Promise.resolve(ok(Buffer.from('\r\r\nSystemDrive=C:\r\r\n\r\r\n')));
      // Windows 7 has no storage namespace: wmic says "Invalid namespace" and fails.
      if (what.startsWith('/namespace'))
        return Promise.resolve(failed('ERROR:\r\nDescription = Invalid namespace'));
      return Promise.resolve(ok(Buffer.alloc(0)));
    };
    const disks = await listWindowsDisks(run);
    expect(calls).toEqual([
      'powershell.exe -NoProfile -NonInteractive',
      'wmic diskdrive get',
      'wmic partition get',
      'wmic path Win32_LogicalDiskToPartition',
      'wmic logicaldisk get',
      'wmic os get',
      'wmic /namespace:\\\\root\\microsoft\\windows\\storage path',
    ]);
    expect(disks.map((disk) => [disk.path, disk.bus])).toEqual([
      ['\\\\.\\PhysicalDrive0', 'ata'],
      ['\\\\.\\PhysicalDrive1', 'scsi'],
    ]);
  });

  it("without PowerShell and without wmic, reports PowerShell's absence", async () => {
    await expect(listWindowsDisks((file) => missing(file))).rejects.toMatchObject({
      code: 'TOOL_MISSING',
      where: expect.stringMatching(/^powershell\.exe -NoProfile/),
      hint: expect.stringMatching(/Storage module/),
    });
  });

  it("when both fail, reports wmic's failure", async () => {
    const run: CommandRunner = (file) =>
      file === 'powershell.exe'
        ? Promise.resolve(failed(NO_GET_DISK))
        : Promise.resolve(failed('ERROR: Access denied'));
    await expect(listWindowsDisks(run)).rejects.toMatchObject({
      code: 'TOOL_OUTPUT',
      message: 'exited with status 1: ERROR: Access denied',
      where: expect.stringMatching(/^wmic diskdrive get/),
    });
  });
});
