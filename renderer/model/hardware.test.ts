import { describe, expect, it } from 'vitest';
import { DISK_SPEC, SPEC, planFor } from '../test-support/fixtures.js';
import { forAnotherHypervisor, learnDefaults, roundMemory, withHardware } from './hardware.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

describe('hardware choices', () => {
  it('hold only what differs from the defaults', () => {
    const defaults = { cpus: 2, nic: 'vmxnet3' };
    const four = withHardware({}, defaults, 'cpus', 4);
    expect(four).toEqual({ cpus: 4 });
    expect(withHardware(four, defaults, 'cpus', 2)).toEqual({});
    // A default not known yet cannot be told from a choice.
    expect(withHardware({}, defaults, 'firmware', 'bios')).toEqual({ firmware: 'bios' });
  });

  it('learn the defaults of the fields the spec left to the engine', () => {
    const spec = { ...SPEC, hardware: { cpus: 4 } };
    const learnt = learnDefaults({ cpus: 2 }, spec, planFor(spec));
    expect(learnt).toEqual({
      cpus: 2,
      memoryBytes: 2 * GiB,
      firmware: 'uefi',
      controller: 'sata',
      nic: 'vmxnet3',
    });
    expect(learnDefaults(learnt, DISK_SPEC, planFor(DISK_SPEC))).toBe(learnt);
  });

  it('keep only what another hypervisor can take', () => {
    const hardware = { cpus: 4, firmware: 'bios', controller: 'ide', nic: 'e1000' } as const;
    expect(forAnotherHypervisor(hardware)).toEqual({ cpus: 4, firmware: 'bios' });
  });

  it('round memory to 4 MiB within the engine’s bounds', () => {
    expect(roundMemory(2047 * MiB)).toBe(2048 * MiB);
    expect(roundMemory(1 * MiB)).toBe(64 * MiB);
    expect(roundMemory(4096 * GiB)).toBe(2048 * GiB);
  });
});
