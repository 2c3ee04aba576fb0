/**
 * A libvirt domain (KVM/QEMU): `virsh define` it, then `virsh start`. libvirt wants the disk's
 * absolute path, so the caller says which folder the definition and the disk will live in.
 */
import { posix } from 'node:path';
import { FerryError } from '../../shared/errors.js';
import { osinfoId } from './guest-ids.js';
import { isGuidText } from '../partitions/guid.js';
import { checkMachineSpec } from './machine-spec.js';
import type { MachineSpec } from './types.js';
import { el, xmlDocument, type XmlElement } from './xml.js';

export interface LibvirtOptions {
  /** The absolute folder, on the KVM host, that holds the disk. */
  directory: string;
  /** The domain's UUID; libvirt makes one up when it is left out. */
  uuid?: string;
  /** The NIC's MAC (aa:bb:cc:dd:ee:ff); libvirt makes one up when it is left out. */
  macAddress?: string;
}

const KiB = 1024;

/** The guest's name for the disk and the bus it hangs on. */
function diskTarget(spec: MachineSpec): { dev: string; bus: string } {
  switch (spec.controller) {
    case 'virtio':
      return { dev: 'vda', bus: 'virtio' };
    case 'ide':
      return { dev: 'hda', bus: 'ide' };
    case 'sata':
      return { dev: 'sda', bus: 'sata' };
    case 'scsi':
    case 'nvme':
      // checkMachineSpec refuses nvme first; scsi hangs on the virtio-scsi controller below.
      return { dev: 'sda', bus: 'scsi' };
  }
}

function checkOptions(spec: MachineSpec, options: LibvirtOptions): void {
  if (!options.directory.startsWith('/')) {
    throw new FerryError('USAGE', `"${options.directory}" is not an absolute folder`, {
      where: 'libvirt definition',
      hint: 'libvirt needs the absolute path of the disk on the KVM host',
    });
  }
  if (spec.name.includes('/')) {
    throw new FerryError('USAGE', 'libvirt refuses a domain name with "/" in it', {
      where: '--name',
      hint: 'choose a name without "/"',
    });
  }
  if (options.uuid !== undefined && !isGuidText(options.uuid)) {
    throw new FerryError('USAGE', `"${options.uuid}" is not a UUID`, { where: 'domain UUID' });
  }
  if (
    options.macAddress !== undefined &&
    !/^[0-9a-f][02468ace](:[0-9a-f]{2}){5}$/i.test(options.macAddress)
  ) {
    throw new FerryError('USAGE', `"${options.macAddress}" is not a unicast MAC address`, {
      where: 'network adapter',
      hint: 'write it as 52:54:00:12:34:56',
    });
  }
}

export function buildLibvirtDomain(spec: MachineSpec, options: LibvirtOptions): string {
  checkMachineSpec('libvirt', spec);
  checkOptions(spec, options);
  const windows = spec.guest?.family === 'windows';
  const uefi = spec.firmware === 'uefi';
  const target = diskTarget(spec);

  const os: XmlElement[] = [
    // q35 is QEMU's modern PCIe machine but has no IDE controller; IDE needs the i440fx "pc".
    el('type', { arch: 'x86_64', machine: spec.controller === 'ide' ? 'pc' : 'q35' }, 'hvm'),
  ];
  if (uefi) {
    // The converted boot chain may not be signed for the firmware's enrolled keys, and a secure
    // boot firmware also needs SMM, so libvirt is asked for plain OVMF.
    os.push(el('firmware', {}, [el('feature', { enabled: 'no', name: 'secure-boot' })]));
  }
  os.push(el('boot', { dev: 'hd' }));

  const features: XmlElement[] = [el('acpi'), el('apic')];
  if (windows) {
    // The Hyper-V enlightenments every Windows since Vista uses to run well under KVM.
    features.push(
      el('hyperv', { mode: 'custom' }, [
        el('relaxed', { state: 'on' }),
        el('vapic', { state: 'on' }),
        el('spinlocks', { state: 'on', retries: 8191 }),
      ]),
    );
  }

  const devices: XmlElement[] = [
    el('disk', { type: 'file', device: 'disk' }, [
      el('driver', { name: 'qemu', type: spec.disk.format, discard: 'unmap' }),
      el('source', { file: posix.join(options.directory, spec.disk.path) }),
      el('target', target),
    ]),
  ];
  if (spec.controller === 'scsi') {
    devices.push(el('controller', { type: 'scsi', index: 0, model: 'virtio-scsi' }));
  }
  const nic: XmlElement[] = [el('source', { network: 'default' })];
  if (options.macAddress !== undefined)
    nic.push(el('mac', { address: options.macAddress.toLowerCase() }));
  nic.push(el('model', { type: spec.nic }));
  devices.push(
    el('interface', { type: 'network' }, nic),
    // A serial console: `virsh console` reaches a Linux guest that logs in on ttyS0.
    el('serial', { type: 'pty' }, [el('target', { port: 0 })]),
    el('console', { type: 'pty' }, [el('target', { type: 'serial', port: 0 })]),
    // An absolute pointer and a screen for desktops, reachable only from the host itself.
    el('input', { type: 'tablet', bus: 'usb' }),
    el('graphics', { type: 'vnc', port: -1, autoport: 'yes', listen: '127.0.0.1' }),
    el('video', {}, [el('model', { type: 'vga' })]),
  );

  const domain: XmlElement[] = [el('name', {}, spec.name)];
  if (options.uuid !== undefined) domain.push(el('uuid', {}, options.uuid.toLowerCase()));
  domain.push(
    el('metadata', {}, [
      el(
        'libosinfo:libosinfo',
        { 'xmlns:libosinfo': 'http://libosinfo.org/xmlns/libvirt/domain/1.0' },
        [el('libosinfo:os', { id: osinfoId(spec.guest) })],
      ),
    ]),
    el('memory', { unit: 'KiB' }, String(spec.memoryBytes / KiB)),
    el('vcpu', {}, String(spec.cpus)),
    el('os', uefi ? { firmware: 'efi' } : {}, os),
    el('features', {}, features),
    // QEMU's default CPU lacks x86-64-v2, which RHEL 9 and other current systems require.
    el('cpu', { mode: 'host-passthrough' }),
    // Windows keeps the hardware clock in local time, everything else in UTC.
    el('clock', { offset: windows ? 'localtime' : 'utc' }),
    el('devices', {}, devices),
  );
  return xmlDocument(el('domain', { type: 'kvm' }, domain), '');
}
