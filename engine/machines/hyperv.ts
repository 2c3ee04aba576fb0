/**
 * Hyper-V keeps no machine file a person can copy, so Ferry writes the PowerShell that creates
 * the machine around the disk: run it, elevated, from the folder that holds both. BIOS means
 * generation 1 (boots from IDE), UEFI generation 2 (boots from SCSI, VHDX only).
 */
import { checkMachineSpec } from './machine-spec.js';
import type { MachineSpec } from './types.js';

/**
 * A PowerShell single-quoted string literal: nothing inside is expanded ($, `, $(…) stay
 * text). PowerShell also ends such a string at the typographic single quotes U+2018 to U+201B,
 * so each of them is doubled like ' itself.
 */
export function quotePowerShell(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (quote) => quote + quote)}'`;
}

export function buildHyperVScript(spec: MachineSpec): string {
  checkMachineSpec('hyperv', spec);
  const generation = spec.firmware === 'uefi' ? 2 : 1;
  const linux = spec.guest?.family === 'linux';
  const lines = [
    `# Creates the Hyper-V machine ${quotePowerShell(spec.name)} around its converted disk.`,
    '# Run it in an elevated PowerShell on the Hyper-V host; the disk stays where it is.',
    '#Requires -RunAsAdministrator',
    '#Requires -Modules Hyper-V',
    "$ErrorActionPreference = 'Stop'",
    '',
    `$name = ${quotePowerShell(spec.name)}`,
    `$disk = Join-Path -Path $PSScriptRoot -ChildPath ${quotePowerShell(spec.disk.path)}`,
    `$vm = New-VM -Name $name -Generation ${generation} -MemoryStartupBytes ${spec.memoryBytes} -VHDPath $disk`,
    `Set-VMProcessor -VM $vm -Count ${spec.cpus}`,
    // Fixed memory: a converted system has no Hyper-V balloon driver until it is set up.
    `Set-VMMemory -VM $vm -DynamicMemoryEnabled $false -StartupBytes ${spec.memoryBytes}`,
  ];
  if (generation === 2) {
    // Windows boots signed by Microsoft's Windows key. A Linux disk may or may not carry a shim
    // signed by the Microsoft UEFI CA, so secure boot stays off rather than refusing to boot.
    lines.push(
      linux || spec.guest === null
        ? 'Set-VMFirmware -VM $vm -EnableSecureBoot Off'
        : 'Set-VMFirmware -VM $vm -EnableSecureBoot On -SecureBootTemplate MicrosoftWindows',
      // Generation 2 tries the network first unless told otherwise.
      'Set-VMFirmware -VM $vm -FirstBootDevice (Get-VMHardDiskDrive -VM $vm)',
    );
  }
  if (spec.nic === 'legacy') {
    lines.push(
      '# XP and 2003 have no driver for the synthetic adapter New-VM adds; use the emulated one.',
      'Get-VMNetworkAdapter -VM $vm | Remove-VMNetworkAdapter',
      'Add-VMNetworkAdapter -VM $vm -IsLegacy $true',
    );
  }
  lines.push(
    '# Connect the network to the Default Switch where the host has one (Windows 10 and later).',
    "$switch = Get-VMSwitch -Name 'Default Switch' -ErrorAction SilentlyContinue",
    'if ($switch) { Get-VMNetworkAdapter -VM $vm | Connect-VMNetworkAdapter -SwitchName $switch.Name }',
    `Write-Output ('Created ' + $name + ', generation ${generation}: start it with Start-VM -Name ' + $name)`,
  );
  // The byte order mark makes Windows PowerShell 5.1 read the script as UTF-8, not as the ANSI
  // code page, so a name outside ASCII arrives intact.
  return `\ufeff${lines.join('\r\n')}\r\n`;
}
