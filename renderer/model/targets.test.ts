import { describe, expect, it } from 'vitest';
import { FORMAT_NAMES } from '../../shared/formats.js';
import { HYPERVISORS } from '../../shared/machines.js';
import { TARGET_IDS, formatsFor, machineOf } from './targets.js';

describe('targets', () => {
  it('are every hypervisor, then the disk alone', () => {
    expect(TARGET_IDS).toEqual([...HYPERVISORS, 'disk']);
    expect(TARGET_IDS.map(machineOf)).toEqual([...HYPERVISORS, undefined]);
  });

  it('offer the formats each hypervisor runs a machine from, its usual one first', () => {
    expect(Object.fromEntries(HYPERVISORS.map((h) => [h, formatsFor(h)]))).toEqual({
      vmware: ['vmdk', 'vmdk-flat'],
      virtualbox: ['vdi', 'vmdk', 'vmdk-flat', 'vhd', 'vhd-fixed'],
      hyperv: ['vhdx', 'vhd', 'vhd-fixed'],
      libvirt: ['qcow2', 'raw'],
      ovf: ['vmdk-stream'],
    });
  });

  it('offer every format Ferry writes for the disk alone', () => {
    expect([...formatsFor('disk')].sort()).toEqual([...FORMAT_NAMES].sort());
  });
});
