/**
 * An OVF descriptor (DMTF DSP0243, version 1.0 or 2.0) for one machine with one streamOptimized
 * VMDK: References, DiskSection, NetworkSection and a VirtualSystem whose hardware is a list of
 * CIM ResourceAllocationSettingData items. Each item's children follow the CIM schema's
 * sequence, which is alphabetical; ovftool rejects any other order.
 */
import { FerryError } from '../../shared/errors.js';
import { ovfOperatingSystem } from './guest-ids.js';
import { checkMachineSpec } from './machine-spec.js';
import type { MachineSpec } from './types.js';
import { el, xmlDocument, xmlSafe, type XmlElement } from './xml.js';

export type OvfVersion = '1.0' | '2.0';

export interface OvfOptions {
  version: OvfVersion;
  /** The disk file's size in bytes, as References/File/@ovf:size must state it. */
  diskFileSize: number;
}

const ENVELOPE_NAMESPACE: Record<OvfVersion, string> = {
  '1.0': 'http://schemas.dmtf.org/ovf/envelope/1',
  '2.0': 'http://schemas.dmtf.org/ovf/envelope/2',
};
const RASD = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData';
const VSSD = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData';
const VMW = 'http://www.vmware.com/schema/ovf';
const STREAM_OPTIMIZED =
  'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized';
/** ESXi 6.7 and Workstation 14: the oldest VMware hardware with NVMe and every device below. */
const VIRTUAL_SYSTEM_TYPE = 'vmx-14';
/** The logical network the adapter joins; importers map it to one of theirs. */
const NETWORK = 'NAT';
const MiB = 2 ** 20;

/** CIM ResourceType values (CIM_ResourceAllocationSettingData). */
const RESOURCE = {
  processor: 3,
  memory: 4,
  ideController: 5,
  scsiController: 6,
  ethernet: 10,
  disk: 17,
  otherStorage: 20,
} as const;

/** The CIM RASD properties Ferry writes, in the schema's (alphabetical) sequence. */
const RASD_ORDER = [
  'Address',
  'AddressOnParent',
  'AllocationUnits',
  'AutomaticAllocation',
  'Connection',
  'Description',
  'ElementName',
  'HostResource',
  'InstanceID',
  'Parent',
  'ResourceSubType',
  'ResourceType',
  'VirtualQuantity',
] as const;

type RasdProperty = (typeof RASD_ORDER)[number];

function item(properties: Partial<Record<RasdProperty, string | number | boolean>>): XmlElement {
  return el(
    'Item',
    {},
    RASD_ORDER.filter((key) => properties[key] !== undefined).map((key) =>
      el(`rasd:${key}`, {}, String(properties[key])),
    ),
  );
}

const CONTROLLER_ID = 3;

/** The controller item: IDE and SCSI have CIM types, SATA and NVMe are VMware's subtypes of 20. */
function controllerItem(spec: MachineSpec): XmlElement {
  const common = { Address: 0, InstanceID: CONTROLLER_ID };
  switch (spec.controller) {
    case 'ide':
      return item({
        ...common,
        Description: 'IDE Controller',
        ElementName: 'IDE 0',
        ResourceType: RESOURCE.ideController,
      });
    case 'sata':
      return item({
        ...common,
        Description: 'SATA Controller',
        ElementName: 'SATA Controller 0',
        ResourceSubType: 'vmware.sata.ahci',
        ResourceType: RESOURCE.otherStorage,
      });
    case 'nvme':
      return item({
        ...common,
        Description: 'NVMe Controller',
        ElementName: 'NVMe Controller 0',
        ResourceSubType: 'vmware.nvme.controller',
        ResourceType: RESOURCE.otherStorage,
      });
    case 'scsi':
      return item({
        ...common,
        Description: 'SCSI Controller',
        ElementName: 'SCSI Controller 0',
        // Windows has an in-box driver for LSI SAS only; VirtualBox reads both names too.
        ResourceSubType: spec.guest?.family === 'windows' ? 'lsilogicsas' : 'lsilogic',
        ResourceType: RESOURCE.scsiController,
      });
    case 'virtio':
      // checkMachineSpec refuses it first; this keeps the switch whole for the compiler.
      throw new FerryError('USAGE', 'OVF has no virtio controller', { where: '--controller' });
  }
}

export function buildOvf(spec: MachineSpec, options: OvfOptions): string {
  checkMachineSpec('ovf', spec);
  if (!Number.isSafeInteger(options.diskFileSize) || options.diskFileSize <= 0) {
    throw new FerryError('USAGE', `${options.diskFileSize} is not a disk file size`, {
      where: spec.disk.path,
      hint: 'give the size of the finished disk file in bytes',
    });
  }
  const os = ovfOperatingSystem(spec.guest);
  const hardware: XmlElement[] = [
    el('Info', {}, 'Virtual hardware requirements'),
    el('System', {}, [
      el('vssd:ElementName', {}, 'Virtual Hardware Family'),
      el('vssd:InstanceID', {}, '0'),
      el('vssd:VirtualSystemIdentifier', {}, spec.name),
      el('vssd:VirtualSystemType', {}, VIRTUAL_SYSTEM_TYPE),
    ]),
    item({
      AllocationUnits: 'hertz * 10^6',
      Description: 'Number of Virtual CPUs',
      ElementName: `${spec.cpus} virtual CPU(s)`,
      InstanceID: 1,
      ResourceType: RESOURCE.processor,
      VirtualQuantity: spec.cpus,
    }),
    item({
      AllocationUnits: 'byte * 2^20',
      Description: 'Memory Size',
      ElementName: `${spec.memoryBytes / MiB}MB of memory`,
      InstanceID: 2,
      ResourceType: RESOURCE.memory,
      VirtualQuantity: spec.memoryBytes / MiB,
    }),
    controllerItem(spec),
    item({
      AddressOnParent: 0,
      ElementName: 'Hard Disk 1',
      HostResource: 'ovf:/disk/vmdisk1',
      InstanceID: 4,
      Parent: CONTROLLER_ID,
      ResourceType: RESOURCE.disk,
    }),
    item({
      AutomaticAllocation: true,
      Connection: NETWORK,
      Description: `${spec.nic} ethernet adapter on "${NETWORK}"`,
      ElementName: 'Network adapter 1',
      InstanceID: 5,
      ResourceSubType: spec.nic,
      ResourceType: RESOURCE.ethernet,
    }),
  ];
  if (spec.firmware === 'uefi') {
    // VMware's extension for the firmware; without it ESXi and Workstation boot with BIOS.
    hardware.push(
      el('vmw:Config', { 'ovf:required': false, 'vmw:key': 'firmware', 'vmw:value': 'efi' }),
    );
  }

  const envelope = el(
    'Envelope',
    {
      'ovf:version': options.version,
      'xml:lang': 'en-US',
      xmlns: ENVELOPE_NAMESPACE[options.version],
      'xmlns:ovf': ENVELOPE_NAMESPACE[options.version],
      'xmlns:rasd': RASD,
      'xmlns:vssd': VSSD,
      'xmlns:vmw': VMW,
    },
    [
      el('References', {}, [
        el('File', {
          'ovf:href': spec.disk.path,
          'ovf:id': 'file1',
          'ovf:size': options.diskFileSize,
        }),
      ]),
      el('DiskSection', {}, [
        el('Info', {}, 'Virtual disk information'),
        el('Disk', {
          'ovf:capacity': spec.disk.virtualSize,
          'ovf:diskId': 'vmdisk1',
          'ovf:fileRef': 'file1',
          'ovf:format': STREAM_OPTIMIZED,
        }),
      ]),
      el('NetworkSection', {}, [
        el('Info', {}, 'The list of logical networks'),
        el('Network', { 'ovf:name': NETWORK }, [
          el('Description', {}, 'The network the machine joins'),
        ]),
      ]),
      el('VirtualSystem', { 'ovf:id': spec.name }, [
        el('Info', {}, 'A virtual machine converted by Ferry'),
        el('Name', {}, spec.name),
        el('OperatingSystemSection', { 'ovf:id': os.id, 'vmw:osType': os.vmwareOsType }, [
          el('Info', {}, 'The kind of installed guest operating system'),
          ...(spec.guest ? [el('Description', {}, xmlSafe(spec.guest.name))] : []),
        ]),
        el('VirtualHardwareSection', {}, hardware),
      ]),
    ],
  );
  return xmlDocument(envelope);
}
