import { describe, expect, it } from 'vitest';
import { FerryError } from '../../shared/errors.js';
import { FORMATS_BY_HYPERVISOR } from '../../shared/machines.js';
import { resolveMachineSpec, type MachineChoices } from './machine-spec.js';
import type { Hypervisor } from './types.js';
import { GUESTS, HOSTILE_NAMES } from '../../test/fixtures/machines.js';

const GiB = 2 ** 30;
const UUID = '5a2b8c41-2f7e-4d9a-b6c3-1d4e5f6a7b8c';

function choices(overrides: Partial<MachineChoices> = {}): MachineChoices {
  return {
    name: 'web01',
    guest: GUESTS.debian12!,
    firmware: 'uefi',
    disk: { path: 'web01.vmdk', format: 'vmdk', virtualSize: 20 * GiB },
    ...overrides,
  };
}

function refusal(hypervisor: Hypervisor, overrides: Partial<MachineChoices>): FerryError {
  try {
    resolveMachineSpec(hypervisor, choices(overrides));
  } catch (error) {
    expect(error).toBeInstanceOf(FerryError);
    return error as FerryError;
  }
  throw new Error('expected a refusal');
}

describe('resolveMachineSpec', () => {
  it('fills in what was not chosen and keeps what was', () => {
    expect(resolveMachineSpec('vmware', choices())).toEqual({
      ...choices(),
      cpus: 2,
      memoryBytes: 2 * GiB,
      controller: 'sata',
      nic: 'vmxnet3',
    });
    const chosen = resolveMachineSpec(
      'vmware',
      choices({ cpus: 8, memoryBytes: 16 * GiB, controller: 'nvme', nic: 'e1000e' }),
    );
    expect(chosen).toMatchObject({
      cpus: 8,
      memoryBytes: 16 * GiB,
      controller: 'nvme',
      nic: 'e1000e',
    });
  });

  it('takes any printable name, quotes and markup included', () => {
    for (const name of HOSTILE_NAMES) {
      expect(resolveMachineSpec('vmware', choices({ name })).name).toBe(name);
    }
  });

  it('refuses names no definition can carry faithfully', () => {
    for (const name of [
      '',
      '   ',
      'two\nlines',
      'nul\0byte',
      'tab\there',
      'bell\u0007',
      '\ud800lone',
      'x'.repeat(101),
    ]) {
      const error = refusal('vmware', { name });
      expect(error.code).toBe('USAGE');
      expect(error.where).toBe('--name');
    }
  });

  it('refuses impossible CPU counts and memory sizes', () => {
    for (const cpus of [0, -1, 1.5, 65, Number.NaN]) {
      expect(refusal('vmware', { cpus }).where).toBe('--cpus');
    }
    for (const memoryBytes of [
      0,
      32 * 2 ** 20,
      4 * GiB + 1,
      3 * 2 ** 40,
      Number.POSITIVE_INFINITY,
    ]) {
      expect(refusal('vmware', { memoryBytes }).where).toBe('--memory');
    }
  });

  it('wants whole 2 MiB pages for Hyper-V', () => {
    const disk = { path: 'a.vhdx', format: 'vhdx' as const, virtualSize: GiB };
    expect(refusal('hyperv', { disk, memoryBytes: 1025 * 2 ** 20 }).message).toMatch(/2 MiB/);
    expect(
      resolveMachineSpec('hyperv', { ...choices({ disk }), memoryBytes: 1026 * 2 ** 20 })
        .memoryBytes,
    ).toBe(1026 * 2 ** 20);
  });

  it('refuses a disk format the hypervisor cannot run, naming the ones it can', () => {
    const disk = { path: 'web01.qcow2', format: 'qcow2' as const, virtualSize: GiB };
    for (const hypervisor of ['vmware', 'virtualbox', 'hyperv', 'ovf'] as const) {
      const error = refusal(hypervisor, { disk });
      expect(error.code).toBe('UNSUPPORTED');
      expect(error.hint).toContain(FORMATS_BY_HYPERVISOR[hypervisor][0]);
    }
    expect(refusal('vmware', { disk: { ...disk, format: 'vmdk-stream' } }).code).toBe(
      'UNSUPPORTED',
    );
  });

  it('wants VHDX for a Hyper-V generation 2 machine', () => {
    const disk = { path: 'a.vhd', format: 'vhd' as const, virtualSize: GiB };
    expect(refusal('hyperv', { disk }).hint).toMatch(/vhdx/);
    expect(resolveMachineSpec('hyperv', choices({ disk, firmware: 'bios' })).controller).toBe(
      'ide',
    );
  });

  it('wants the disk’s own UUID for VirtualBox', () => {
    const disk = { path: 'a.vdi', format: 'vdi' as const, virtualSize: GiB };
    expect(refusal('virtualbox', { disk }).message).toMatch(/UUID/);
    expect(refusal('virtualbox', { disk: { ...disk, uuid: 'not-a-uuid' } }).code).toBe('USAGE');
    expect(
      resolveMachineSpec('virtualbox', choices({ disk: { ...disk, uuid: UUID } })).disk.uuid,
    ).toBe(UUID);
  });

  it('wants the disk beside the definition', () => {
    for (const path of ['', '../a.vmdk', 'sub/a.vmdk', 'C:\\a.vmdk', '..', 'a\nb.vmdk']) {
      expect(refusal('vmware', { disk: { path, format: 'vmdk', virtualSize: GiB } }).code).toBe(
        'USAGE',
      );
    }
    expect(
      refusal('vmware', { disk: { path: 'a.vmdk', format: 'vmdk', virtualSize: 0 } }).code,
    ).toBe('USAGE');
  });

  it('refuses an arm64 system: every definition Ferry writes is for x86', () => {
    const error = refusal('libvirt', { guest: GUESTS['arm-debian']! });
    expect(error.code).toBe('UNSUPPORTED');
    expect(error.message).toMatch(/arm64/);
  });
});
