/**
 * The size and CHS geometry of a VHD Ferry writes, decided together.
 *
 * Readers disagree on where a VHD's size lives. Hyper-V, Azure and VirtualBox read the
 * footer's current size. Virtual PC reads the CHS geometry. QEMU reads the geometry too unless
 * the creator application is one it knows to mean "current size" (`win `, `qem2`, `d2v `,
 * `tap\0`, `CTXS`) or the geometry is at its maximum (65535/16/255); newer QEMU reads the
 * current size for every creator but `vpc ` and `qemu`. Azure takes only fixed VHDs, and only
 * when their size is a whole number of MiB.
 *
 * So Ferry does not lean on the creator field: it rounds the requested size up to the
 * smallest size that is exactly the product of the geometry the VHD specification's algorithm
 * computes for it, and for a fixed VHD also a whole number of MiB. Geometry and current size
 * then name the same disk, and every reader above, old or new, sees all of it. A size is
 * never rounded down: rounding only adds zeros after the data. For a dynamic VHD it adds less
 * than one cylinder (at most 2 MiB); for a fixed VHD up to 255 MiB on disks of 32 GiB or more
 * (where the cylinder count must be a multiple of 128), tens of MiB on disks of a few GiB, and
 * most in relative terms on disks under 200 MiB (20 MiB becomes 155 MiB). Disks past the
 * largest geometry (about 127 GiB) get that maximum geometry, which tells QEMU to read the
 * current size; Virtual PC cannot hold such a disk at all.
 */
import { FerryError } from '../../shared/errors.js';
import { formatSize } from '../../shared/units.js';

export type VhdVariant = 'dynamic' | 'fixed';

export interface ChsGeometry {
  cylinders: number;
  heads: number;
  sectorsPerTrack: number;
}

const SECTOR = 512;
const MiB_SECTORS = 2048;
/** 65535 cylinders, 16 heads, 255 sectors per track: the largest geometry a footer holds. */
const MAX_CHS_SECTORS = 65535 * 16 * 255;
/** QEMU's and Hyper-V's limit for a VHD: 2040 GiB. */
export const VHD_MAX_DISK_SIZE = 0xff000000 * SECTOR;

/** The geometry the VHD specification (appendix "CHS Calculation") assigns to a sector count. */
export function vhdGeometry(totalSectors: number): ChsGeometry {
  const sectors = Math.min(totalSectors, MAX_CHS_SECTORS);
  let sectorsPerTrack: number;
  let heads: number;
  let cylinderTimesHeads: number;
  if (sectors >= 65535 * 16 * 63) {
    sectorsPerTrack = 255;
    heads = 16;
    cylinderTimesHeads = Math.floor(sectors / sectorsPerTrack);
  } else {
    sectorsPerTrack = 17;
    cylinderTimesHeads = Math.floor(sectors / sectorsPerTrack);
    heads = Math.max(4, Math.floor((cylinderTimesHeads + 1023) / 1024));
    if (cylinderTimesHeads >= heads * 1024 || heads > 16) {
      sectorsPerTrack = 31;
      heads = 16;
      cylinderTimesHeads = Math.floor(sectors / sectorsPerTrack);
    }
    if (cylinderTimesHeads >= heads * 1024) {
      sectorsPerTrack = 63;
      heads = 16;
      cylinderTimesHeads = Math.floor(sectors / sectorsPerTrack);
    }
  }
  return { cylinders: Math.floor(cylinderTimesHeads / heads), heads, sectorsPerTrack };
}

export function geometrySectors({ cylinders, heads, sectorsPerTrack }: ChsGeometry): number {
  return cylinders * heads * sectorsPerTrack;
}

/**
 * The size in bytes of the disk a VHD written for `requested` bytes presents: `requested`
 * rounded up as the comment at the top of this file explains. Throws UNSUPPORTED past the VHD
 * limit of 2040 GiB.
 */
export function vhdDiskSize(requested: number, variant: VhdVariant): number {
  if (!Number.isSafeInteger(requested) || requested < 0) {
    throw new RangeError(`a disk size must be a whole number of bytes, not ${requested}`);
  }
  const step = variant === 'fixed' ? MiB_SECTORS : 1;
  const roundUp = (sectors: number): number => Math.ceil(sectors / step) * step;
  const wanted = Math.max(1, Math.ceil(requested / SECTOR));
  let sectors = roundUp(wanted);
  while (sectors <= MAX_CHS_SECTORS && geometrySectors(vhdGeometry(sectors)) !== sectors) {
    sectors += step;
  }
  // Past every exact geometry: a size past the maximum one, which makes QEMU read the current size.
  if (sectors > MAX_CHS_SECTORS) sectors = roundUp(Math.max(wanted, MAX_CHS_SECTORS + 1));
  const size = sectors * SECTOR;
  if (size > VHD_MAX_DISK_SIZE) {
    throw new FerryError('UNSUPPORTED', `a ${formatSize(requested)} disk is too large for VHD`, {
      where: 'VHD writer',
      hint: `VHD holds at most ${formatSize(VHD_MAX_DISK_SIZE)}; choose vhdx, which holds 64 TiB`,
    });
  }
  return size;
}
