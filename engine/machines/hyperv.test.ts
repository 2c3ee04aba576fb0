import { describe, expect, it } from 'vitest';
import { buildHyperVScript, quotePowerShell } from './hyperv.js';
import { resolveMachineSpec, type MachineChoices } from './machine-spec.js';
import { GUESTS, HOSTILE_NAMES } from '../../test/fixtures/machines.js';

const GiB = 2 ** 30;

/** PowerShell's single quotes: U+0027 and U+2018 to U+201B, all interchangeable. */
const QUOTE = /['\u2018\u2019\u201a\u201b]/;

/**
 * Reads one PowerShell single-quoted literal at the start of `text` as PowerShell's tokenizer
 * does (about_Quoting_Rules): any single-quote character opens and closes it, two in a row
 * stand for one, nothing else is special. Returns the value and what follows the literal.
 */
function readLiteral(text: string): { value: string; rest: string } {
  if (!QUOTE.test(text[0] ?? '')) throw new Error(`no literal at ${text.slice(0, 20)}`);
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i]!;
    if (!QUOTE.test(c)) {
      value += c;
    } else if (QUOTE.test(text[i + 1] ?? '')) {
      value += c;
      i++;
    } else {
      return { value, rest: text.slice(i + 1) };
    }
  }
  throw new Error('unterminated literal');
}

function script(overrides: Partial<MachineChoices> = {}): string[] {
  const spec = resolveMachineSpec('hyperv', {
    name: 'web01',
    guest: GUESTS.win11!,
    firmware: 'uefi',
    disk: { path: 'web01.vhdx', format: 'vhdx', virtualSize: 40 * GiB },
    ...overrides,
  });
  return buildHyperVScript(spec).split('\r\n');
}

/** The value assigned by the line `$<variable> = '<literal>'`, read back as PowerShell would. */
function assigned(lines: string[], variable: string): string {
  const line = lines.find((l) => l.startsWith(`$${variable} = `));
  if (!line) throw new Error(`no $${variable}`);
  const { value, rest } = readLiteral(line.slice(`$${variable} = `.length));
  expect(rest).toBe('');
  return value;
}

describe('quotePowerShell', () => {
  it('makes literals that read back to the original, whatever quotes they hold', () => {
    for (const name of [...HOSTILE_NAMES, "'", "''", '‘’‚‛', "'$(x)'", '`"`']) {
      const { value, rest } = readLiteral(quotePowerShell(name));
      expect(value).toBe(name);
      expect(rest).toBe('');
    }
  });
});

describe('buildHyperVScript', () => {
  it('creates a generation 2 machine for UEFI, boots it from the disk, secure for Windows', () => {
    const lines = script({ cpus: 4, memoryBytes: 8 * GiB });
    expect(lines[0]!.startsWith('\ufeff#')).toBe(true);
    expect(lines).toContain(
      `$vm = New-VM -Name $name -Generation 2 -MemoryStartupBytes ${8 * GiB} -VHDPath $disk`,
    );
    expect(lines).toContain('Set-VMProcessor -VM $vm -Count 4');
    expect(lines).toContain(
      `Set-VMMemory -VM $vm -DynamicMemoryEnabled $false -StartupBytes ${8 * GiB}`,
    );
    expect(lines).toContain(
      'Set-VMFirmware -VM $vm -EnableSecureBoot On -SecureBootTemplate MicrosoftWindows',
    );
    expect(lines).toContain(
      'Set-VMFirmware -VM $vm -FirstBootDevice (Get-VMHardDiskDrive -VM $vm)',
    );
    expect(assigned(lines, 'name')).toBe('web01');
    expect(lines).toContain("$disk = Join-Path -Path $PSScriptRoot -ChildPath 'web01.vhdx'");
    expect(lines.at(-1)).toBe('');
  });

  it('turns secure boot off for Linux, whose boot chain may not be signed', () => {
    const lines = script({ guest: GUESTS.debian12! });
    expect(lines).toContain('Set-VMFirmware -VM $vm -EnableSecureBoot Off');
    expect(lines.join('\n')).not.toMatch(/MicrosoftWindows/);
  });

  it('creates a generation 1 machine for BIOS, with no UEFI settings', () => {
    const lines = script({
      firmware: 'bios',
      disk: { path: 'old.vhd', format: 'vhd', virtualSize: GiB },
    });
    expect(lines.some((l) => l.includes('-Generation 1 '))).toBe(true);
    expect(lines.join('\n')).not.toMatch(/Set-VMFirmware/);
  });

  it('swaps in the legacy adapter for XP', () => {
    const lines = script({ guest: GUESTS.xp32!, firmware: 'bios' });
    expect(lines).toContain('Add-VMNetworkAdapter -VM $vm -IsLegacy $true');
    expect(lines.join('\n')).not.toMatch(/Set-VMFirmware/);
  });

  it('keeps hostile names inert: every one reads back as one literal', () => {
    for (const name of HOSTILE_NAMES) {
      const lines = script({ name });
      expect(assigned(lines, 'name')).toBe(name);
      // The name appears nowhere else but in the comment line and that literal.
      const others = lines.filter((l) => !l.startsWith('$name = ') && !l.startsWith('\ufeff#'));
      expect(others.join('\n')).not.toContain(name);
    }
  });

  it('refuses what Hyper-V cannot run', () => {
    expect(() => script({ controller: 'sata' })).toThrow(/Hyper-V cannot attach/);
    expect(() => script({ controller: 'nvme' })).toThrow(/Hyper-V cannot attach/);
    expect(() => script({ disk: { path: 'a.vhd', format: 'vhd', virtualSize: GiB } })).toThrow(
      /VHDX/,
    );
    expect(() => script({ controller: 'ide' })).toThrow(/generation 2/);
  });
});
