/** The one shape of a physical disk on every platform, as `ferry disks` and the wizard show it. */

export type Bus =
  | 'sata'
  | 'ata'
  | 'nvme'
  | 'scsi'
  | 'sas'
  | 'usb'
  | 'mmc'
  | 'virtio'
  | 'raid'
  | 'thunderbolt'
  | 'other'
  | 'unknown';

export interface DiskPartition {
  number: number;
  /** The partition's own device path, e.g. /dev/sda1, /dev/disk0s1; null where the OS has none. */
  path: string | null;
  start: number;
  size: number;
  /** GPT type GUID or MBR id ("0x83"), as in InspectReport; null when the OS does not say. */
  type: string | null;
  filesystem: string | null;
  label: string | null;
  uuid: string | null;
  mountPoints: string[];
  /** Used bytes of a mounted volume (from the OS), null when not mounted or unknown. */
  usedBytes: number | null;
}

export interface Disk {
  /** What to give `ferry inspect` / `ferry convert`: /dev/sda, /dev/disk0, \\.\PhysicalDrive0. */
  path: string;
  model: string | null;
  serial: string | null;
  size: number;
  logicalSectorSize: number;
  physicalSectorSize: number;
  bus: Bus;
  removable: boolean;
  readOnly: boolean;
  /** Holds the running operating system: a conversion of it is a live ("hot") clone. */
  system: boolean;
  partitions: DiskPartition[];
}
