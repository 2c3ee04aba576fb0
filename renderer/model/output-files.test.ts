import { describe, expect, it } from 'vitest';
import type { FormatName } from '../../shared/formats.js';
import { destinationExtension, expectedFiles, mainFile } from './output-files.js';
import type { TargetId } from './targets.js';

describe('the files a conversion writes', () => {
  it('are the disk and, beside it, the machine’s definition', () => {
    const files = (target: TargetId, format: FormatName) =>
      expectedFiles('/vm', 'web', { target, format, ova: false });
    expect(files('vmware', 'vmdk')).toEqual(['/vm/web.vmdk', '/vm/web.vmx']);
    expect(files('vmware', 'vmdk-flat')).toEqual([
      '/vm/web.vmdk',
      '/vm/web-flat.vmdk',
      '/vm/web.vmx',
    ]);
    expect(files('virtualbox', 'vdi')).toEqual(['/vm/web.vdi', '/vm/web.vbox']);
    expect(files('hyperv', 'vhdx')).toEqual(['/vm/web.vhdx', '/vm/web.ps1']);
    expect(files('libvirt', 'raw')).toEqual(['/vm/web.img', '/vm/web.xml']);
    expect(files('ovf', 'vmdk-stream')).toEqual(['/vm/web.ovf', '/vm/web.vmdk', '/vm/web.mf']);
    expect(files('disk', 'qcow2')).toEqual(['/vm/web.qcow2']);
  });

  it('are one .ova package when an OVF machine is packed, in the folder’s own separator', () => {
    const ova = { target: 'ovf', format: 'vmdk-stream', ova: true } as const;
    expect(expectedFiles('C:\\VMs', 'web', ova)).toEqual(['C:\\VMs\\web.ova']);
    expect(destinationExtension(ova)).toBe('.ova');
    // The toggle means nothing to another target.
    expect(destinationExtension({ ...ova, target: 'disk' })).toBe('.vmdk');
  });
});

describe('the file to open next', () => {
  it('is the machine’s definition or package, else the disk', () => {
    expect(mainFile(['/vm/web.qcow2', '/vm/web.xml'], 'libvirt')).toBe('/vm/web.xml');
    expect(mainFile(['/vm/web.ova'], 'ovf')).toBe('/vm/web.ova');
    expect(mainFile(['/vm/web.vmdk', '/vm/web-flat.vmdk'], undefined)).toBe('/vm/web.vmdk');
    expect(mainFile([], 'vmware')).toBeUndefined();
  });
});
