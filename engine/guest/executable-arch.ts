/**
 * The CPU an executable is built for, from its header: ELF (Linux) or PE (Windows, UEFI). A
 * system's own shell or kernel says what the whole installed system runs on.
 */
import type { GuestOs } from '../../shared/guest.js';

export type Architecture = NonNullable<GuestOs['architecture']>;

const ELF_MAGIC = '\x7fELF';
const ELF_DATA_OFFSET = 5;
const ELF_LITTLE_ENDIAN = 1;
const ELF_MACHINE_OFFSET = 18;
/** e_machine values (the System V ABI's list). */
const ELF_MACHINES: ReadonlyMap<number, Architecture> = new Map([
  [3, 'x86'], // EM_386
  [62, 'x86_64'], // EM_X86_64, also the x32 ABI, which runs on x86_64 kernels
  [183, 'arm64'], // EM_AARCH64
]);

/** Where the DOS header of a PE image keeps the offset of the PE header (e_lfanew). */
export const PE_POINTER_OFFSET = 0x3c;
/** IMAGE_FILE_MACHINE_* values of the COFF header. */
const PE_MACHINES: ReadonlyMap<number, Architecture> = new Map([
  [0x014c, 'x86'], // I386
  [0x8664, 'x86_64'], // AMD64
  [0xaa64, 'arm64'], // ARM64
]);

/**
 * The architecture of the ELF or PE image starting at `bytes`, or null when it is neither, is cut
 * short, or is built for another CPU. Big-endian ELF counts as another CPU: no hypervisor Ferry
 * writes for runs big-endian guests.
 */
export function executableArchitecture(bytes: Buffer): Architecture | null {
  if (bytes.length >= ELF_MACHINE_OFFSET + 2 && bytes.toString('latin1', 0, 4) === ELF_MAGIC) {
    if (bytes[ELF_DATA_OFFSET] !== ELF_LITTLE_ENDIAN) return null;
    return ELF_MACHINES.get(bytes.readUInt16LE(ELF_MACHINE_OFFSET)) ?? null;
  }
  if (bytes.length >= PE_POINTER_OFFSET + 4 && bytes.toString('latin1', 0, 2) === 'MZ') {
    const header = bytes.readUInt32LE(PE_POINTER_OFFSET);
    if (header + 6 > bytes.length || bytes.toString('latin1', header, header + 4) !== 'PE\0\0') {
      return null;
    }
    return PE_MACHINES.get(bytes.readUInt16LE(header + 4)) ?? null;
  }
  return null;
}
