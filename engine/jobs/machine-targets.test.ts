import { describe, expect, it } from 'vitest';
import { machineTargets } from './machine-targets.js';

describe('machineTargets', () => {
  it('puts the definition beside a disk the destination names', () => {
    expect(machineTargets('/vm/disk.vmdk', 'vmware', undefined)).toMatchObject({
      format: 'vmdk',
      disk: '/vm/disk.vmdk',
      definition: '/vm/disk.vmx',
      outputs: ['/vm/disk.vmx'],
      ova: null,
    });
    expect(machineTargets('/vm/disk.img', 'libvirt', undefined)).toMatchObject({
      format: 'raw',
      definition: '/vm/disk.xml',
    });
  });

  it("puts the hypervisor's usual disk beside a definition the destination names", () => {
    expect(machineTargets('/vm/web.vbox', 'virtualbox', undefined)).toMatchObject({
      format: 'vdi',
      disk: '/vm/web.vdi',
    });
    expect(machineTargets('/vm/web.vbox', 'virtualbox', 'vmdk')).toMatchObject({
      format: 'vmdk',
      disk: '/vm/web.vmdk',
    });
    expect(machineTargets('/vm/web.ps1', 'hyperv', undefined)).toMatchObject({ format: 'vhdx' });
    expect(machineTargets('/vm/web.ovf', 'ovf', undefined)).toMatchObject({
      format: 'vmdk-stream',
      disk: '/vm/web.vmdk',
      manifest: '/vm/web.mf',
      outputs: ['/vm/web.ovf', '/vm/web.mf'],
    });
    // An OVF's .vmdk is streamOptimized unless asked otherwise.
    expect(machineTargets('/vm/web.vmdk', 'ovf', undefined)).toMatchObject({
      format: 'vmdk-stream',
    });
  });

  it('makes an .ova an OVF package whose disk is scratch beside it', () => {
    expect(machineTargets('/out/web.ova', undefined, undefined)).toMatchObject({
      hypervisor: 'ovf',
      format: 'vmdk-stream',
      disk: '/out/web-disk1.vmdk',
      ova: '/out/web.ova',
      outputs: ['/out/web.ova'],
    });
  });

  it('has nothing to do without a machine, unless the destination names a definition', () => {
    expect(machineTargets('/vm/disk.qcow2', undefined, undefined)).toBeNull();
    expect(machineTargets('/vm/web.vmx', undefined, undefined)).toMatchObject({
      hypervisor: 'vmware',
      disk: '/vm/web.vmdk',
    });
    expect(machineTargets('/vm/web.xml', undefined, undefined)).toMatchObject({
      hypervisor: 'libvirt',
      format: 'qcow2',
    });
  });

  it('refuses formats the hypervisor cannot run and files of another hypervisor', () => {
    for (const [destination, machine, format] of [
      ['/vm/disk.qcow2', 'vmware', undefined],
      ['/vm/web.ps1', 'hyperv', 'qcow2'],
      ['/vm/web.vmx', 'virtualbox', undefined],
      ['/vm/web.ova', 'libvirt', undefined],
      ['/vm/web.ova', undefined, 'vmdk'],
    ] as const) {
      expect(() => machineTargets(destination, machine, format), destination).toThrow(
        expect.objectContaining({ code: 'USAGE' }),
      );
    }
  });
});
