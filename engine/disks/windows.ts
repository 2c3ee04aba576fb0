/**
 * Windows: the Storage cmdlets (Get-Disk, Get-Partition, Get-Volume) in one PowerShell run;
 * wmic where they are missing (Windows 7) or PowerShell does not run.
 */
import type { Disk } from '../../shared/disks.js';
import { isFerryError } from '../../shared/errors.js';
import {
  describeTool,
  runTool,
  runToolOk,
  type CommandRunner,
  type Tool,
} from '../io/run-command.js';
import { decodeOutput } from './decode.js';
import { disksFromStorage, parseStorageJson } from './windows-cim.js';
import { disksFromWmic, parseWmicLinks, parseWmicList, type WmiRecord } from './wmic.js';

/**
 * Single quotes only: the script crosses the Windows command line. UTF-8 output so that labels
 * survive; -Depth 4 reaches AccessPaths (object > list > partition > paths).
 */
const STORAGE_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  '[Console]::OutputEncoding = [Text.Encoding]::UTF8',
  '$d = @(Get-Disk | Select-Object Number,FriendlyName,Model,SerialNumber,Size,BusType,IsBoot,IsSystem,IsReadOnly,LogicalSectorSize,PhysicalSectorSize)',
  '$p = @(Get-Partition -ErrorAction SilentlyContinue | Select-Object DiskNumber,PartitionNumber,Offset,Size,GptType,MbrType,DriveLetter,AccessPaths)',
  '$v = @(Get-Volume -ErrorAction SilentlyContinue | Select-Object Path,DriveLetter,FileSystem,FileSystemLabel,Size,SizeRemaining)',
  'ConvertTo-Json -Depth 4 -Compress -InputObject @{ disks = $d; partitions = $p; volumes = $v }',
].join('; ');

const POWERSHELL: Tool = {
  file: 'powershell.exe',
  args: ['-NoProfile', '-NonInteractive', '-Command', STORAGE_SCRIPT],
  hint: 'Ferry needs Windows PowerShell with the Storage module (Windows 8 or later), or wmic',
};

const WMIC_HINT =
  'wmic is missing or failing; make sure Windows PowerShell and its Storage module work';

const wmic = (...args: string[]): Tool => ({ file: 'wmic', args, hint: WMIC_HINT });

const WMIC = {
  drives: wmic(
    'diskdrive',
    'get',
    'Index,Model,SerialNumber,Size,BytesPerSector,InterfaceType,MediaType,PNPDeviceID,Capabilities',
    '/format:list',
  ),
  partitions: wmic(
    'partition',
    'get',
    'DeviceID,DiskIndex,Index,StartingOffset,Size',
    '/format:list',
  ),
  letters: wmic(
    'path',
    'Win32_LogicalDiskToPartition',
    'get',
    'Antecedent,Dependent',
    '/format:list',
  ),
  logicalDisks: wmic(
    'logicaldisk',
    'get',
    'DeviceID,FileSystem,VolumeName,Size,FreeSpace',
    '/format:list',
  ),
  os: wmic('os', 'get', 'SystemDrive', '/format:list'),
  physicalDisks: wmic(
    '/namespace:\\\\root\\microsoft\\windows\\storage',
    'path',
    'MSFT_PhysicalDisk',
    'get',
    'DeviceId,BusType,LogicalSectorSize,PhysicalSectorSize',
    '/format:list',
  ),
};

export async function listWindowsDisks(run: CommandRunner): Promise<Disk[]> {
  let storageError: unknown;
  try {
    const stdout = decodeOutput(await runToolOk(run, POWERSHELL));
    return disksFromStorage(parseStorageJson(stdout, describeTool(POWERSHELL)));
  } catch (error) {
    if (!isFerryError(error)) throw error;
    storageError = error;
  }
  try {
    return await listWithWmic(run);
  } catch (error) {
    // Without wmic (Windows 11 24H2 dropped it) PowerShell's failure is the one that explains.
    throw isFerryError(error) && error.code === 'TOOL_MISSING' ? storageError : error;
  }
}

async function listWithWmic(run: CommandRunner): Promise<Disk[]> {
  const records = async (tool: Tool) =>
    parseWmicList(decodeOutput(await runToolOk(run, tool)), describeTool(tool));
  const drives = await records(WMIC.drives);
  const partitions = await records(WMIC.partitions);
  const letters = parseWmicLinks(
    decodeOutput(await runToolOk(run, WMIC.letters)),
    describeTool(WMIC.letters),
  );
  const logicalDisks = await records(WMIC.logicalDisks);
  const systemDrive = (await records(WMIC.os))[0]?.['SystemDrive'] || null;
  return disksFromWmic({
    drives,
    partitions,
    letters,
    logicalDisks,
    physicalDisks: await optionalPhysicalDisks(run),
    systemDrive,
  });
}

/** MSFT_PhysicalDisk exists from Windows 8 on; on Windows 7 the bus comes from Win32_DiskDrive. */
async function optionalPhysicalDisks(run: CommandRunner): Promise<WmiRecord[]> {
  const output = await runTool(run, WMIC.physicalDisks);
  if (output.exitCode !== 0) return [];
  return parseWmicList(decodeOutput(output.stdout), describeTool(WMIC.physicalDisks));
}
