/**
 * A VirtualBox .vbox machine file, settings format 1.16 (VirtualBox 6.0), which every later
 * VirtualBox reads and upgrades in place. Layout and names follow VirtualBox's own
 * VirtualBox-settings.xsd: Machine > MediaRegistry, Hardware, StorageControllers.
 *
 * VirtualBox opens a medium only if the UUID in its media registry equals the UUID stored in
 * the disk file (VDI header, VMDK ddb.uuid.image, VHD footer), so the spec must carry it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { FerryError } from '../../shared/errors.js';
import type { FormatName } from '../../shared/formats.js';
import { virtualBoxOsType } from './guest-ids.js';
import { isGuidText } from '../partitions/guid.js';
import { checkMachineSpec } from './machine-spec.js';
import type { MachineSpec } from './types.js';
import { el, xmlDocument, type XmlElement } from './xml.js';

export const VBOX_SETTINGS_VERSION = '1.16-linux';
const MiB = 2 ** 20;

/** Identities of the machine itself; fresh ones unless given (tests give fixed ones). */
export interface VboxIdentity {
  machineUuid?: string;
  /** 12 hex digits, unicast; VirtualBox's own prefix 080027 when generated. */
  macAddress?: string;
}

const MEDIUM_FORMATS: Partial<Record<FormatName, string>> = {
  vdi: 'VDI',
  vmdk: 'VMDK',
  'vmdk-flat': 'VMDK',
  vhd: 'VHD',
  'vhd-fixed': 'VHD',
};

interface StorageController {
  name: string;
  type: string;
  portCount: number;
}

/** The controller VirtualBox emulates for each kind, with VirtualBox's usual name for it. */
function storageController(spec: MachineSpec): StorageController {
  switch (spec.controller) {
    case 'ide':
      return { name: 'IDE', type: 'PIIX4', portCount: 2 };
    case 'sata':
      return { name: 'SATA', type: 'AHCI', portCount: 1 };
    case 'nvme':
      return { name: 'NVMe', type: 'NVMe', portCount: 1 };
    case 'virtio':
      return { name: 'VirtioSCSI', type: 'VirtioSCSI', portCount: 1 };
    case 'scsi':
      // Windows dropped the LSI parallel SCSI driver after 7; lsi_sas is in the box since Vista.
      return spec.guest?.family === 'windows'
        ? { name: 'SAS', type: 'LsiLogicSas', portCount: 8 }
        : { name: 'SCSI', type: 'LsiLogic', portCount: 16 };
  }
}

function braced(uuid: string): string {
  return `{${uuid.toLowerCase()}}`;
}

function checkMac(mac: string): string {
  // Unicast: the low bit of the first byte clear, as VirtualBox's schema demands.
  if (!/^[0-9a-f][02468ace][0-9a-f]{10}$/i.test(mac)) {
    throw new FerryError('USAGE', `"${mac}" is not a unicast MAC address`, {
      where: 'network adapter',
      hint: 'give 12 hexadecimal digits, e.g. 080027A1B2C3',
    });
  }
  return mac.toUpperCase();
}

export function buildVbox(spec: MachineSpec, identity: VboxIdentity = {}): string {
  checkMachineSpec('virtualbox', spec);
  const machineUuid = identity.machineUuid ?? randomUUID();
  if (!isGuidText(machineUuid)) {
    throw new FerryError('USAGE', `"${machineUuid}" is not a UUID`, { where: 'machine UUID' });
  }
  const mac = checkMac(identity.macAddress ?? `080027${randomBytes(3).toString('hex')}`);
  const diskUuid = braced(spec.disk.uuid!);
  const windows = spec.guest?.family === 'windows';
  const bits64 = spec.guest?.architecture !== 'x86';
  const controller = storageController(spec);

  const hardware: XmlElement[] = [
    el('CPU', { count: spec.cpus }, [
      el('PAE', { enabled: true }),
      el('LongMode', { enabled: bits64 }),
      el('HardwareVirtExLargePages', { enabled: true }),
    ]),
    el('Memory', { RAMSize: spec.memoryBytes / MiB }),
  ];
  if (spec.firmware === 'uefi') hardware.push(el('Firmware', { type: 'EFI' }));
  hardware.push(
    el(
      'Boot',
      {},
      ['HardDisk', 'None', 'None', 'None'].map((device, index) =>
        el('Order', { position: index + 1, device }),
      ),
    ),
    // VBoxSVGA is VirtualBox's choice for Windows (WDDM driver), VMSVGA for Linux.
    el('Display', { controller: windows ? 'VBoxSVGA' : 'VMSVGA', VRAMSize: windows ? 128 : 16 }),
    // More than one CPU needs the I/O APIC; VirtualBox refuses to start without it.
    el('BIOS', {}, [el('IOAPIC', { enabled: true })]),
    el('Network', {}, [
      el('Adapter', { slot: 0, enabled: true, MACAddress: mac, type: spec.nic }, [el('NAT')]),
    ]),
    // Windows keeps the hardware clock in local time, everything else in UTC.
    el('RTC', { localOrUTC: windows ? 'local' : 'UTC' }),
  );

  const machine = el(
    'Machine',
    {
      uuid: braced(machineUuid),
      name: spec.name,
      OSType: virtualBoxOsType(spec.guest),
      snapshotFolder: 'Snapshots',
    },
    [
      el('MediaRegistry', {}, [
        el('HardDisks', {}, [
          el('HardDisk', {
            uuid: diskUuid,
            location: spec.disk.path,
            format: MEDIUM_FORMATS[spec.disk.format],
            type: 'Normal',
          }),
        ]),
      ]),
      el('Hardware', {}, hardware),
      el('StorageControllers', {}, [
        el(
          'StorageController',
          {
            name: controller.name,
            type: controller.type,
            PortCount: controller.portCount,
            useHostIOCache: false,
            Bootable: true,
          },
          [
            el('AttachedDevice', { type: 'HardDisk', hotpluggable: false, port: 0, device: 0 }, [
              el('Image', { uuid: diskUuid }),
            ]),
          ],
        ),
      ]),
    ],
  );
  return xmlDocument(
    el('VirtualBox', { xmlns: 'http://www.virtualbox.org/', version: VBOX_SETTINGS_VERSION }, [
      machine,
    ]),
  );
}
