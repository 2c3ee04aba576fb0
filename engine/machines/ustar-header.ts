/**
 * One POSIX ustar header block (IEEE 1003.1 "ustar Interchange Format"), the tar dialect OVF
 * requires for an OVA. ustar's octal size field ends at 8 GiB - 1; a larger member gets the
 * size in base-256 (first byte 0x80), the extension GNU tar, bsdtar, Python, Go and VirtualBox
 * read and VMware's ovftool writes for big disks.
 */
import { FerryError } from '../../shared/errors.js';

export const BLOCK = 512;
const NAME_BYTES = 100;
/** The largest size an 11-digit octal field holds. */
const OCTAL_SIZE_LIMIT = 8 ** 11;

const FIELD = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  checksum: [148, 8],
  typeflag: [156, 1],
  magic: [257, 6],
  version: [263, 2],
  devmajor: [329, 8],
  devminor: [337, 8],
} as const;

function octal(header: Buffer, [offset, length]: readonly [number, number], value: number): void {
  // length - 1 digits and a NUL, as ustar writers (and the checksum rule below) expect.
  header.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, 'latin1');
}

/** Refuses a member name that tar cannot hold or an OVA must not have (no folders in an OVA). */
export function checkMemberName(name: string): void {
  const bytes = Buffer.byteLength(name, 'utf8');
  // eslint-disable-next-line no-control-regex
  if (bytes === 0 || bytes > NAME_BYTES || /[/\\\u0000-\u001f\u007f]/.test(name) || name === '..') {
    throw new FerryError('USAGE', `"${name}" cannot be a file name inside an OVA`, {
      where: 'OVA',
      hint: `use a plain file name of at most ${NAME_BYTES} bytes`,
    });
  }
}

/** The header of a regular file `name` of `size` bytes, modified at `mtime` (Unix seconds). */
export function ustarHeader(name: string, size: number, mtime: number): Buffer {
  checkMemberName(name);
  const header = Buffer.alloc(BLOCK);
  header.write(name, FIELD.name[0], 'utf8');
  octal(header, FIELD.mode, 0o644);
  octal(header, FIELD.uid, 0);
  octal(header, FIELD.gid, 0);
  if (size < OCTAL_SIZE_LIMIT) {
    octal(header, FIELD.size, size);
  } else {
    header[FIELD.size[0]] = 0x80;
    header.writeBigUInt64BE(BigInt(size), FIELD.size[0] + FIELD.size[1] - 8);
  }
  octal(header, FIELD.mtime, Math.max(0, Math.floor(mtime)));
  header.write('0', FIELD.typeflag[0], 'latin1');
  header.write('ustar\0', FIELD.magic[0], 'latin1');
  header.write('00', FIELD.version[0], 'latin1');
  octal(header, FIELD.devmajor, 0);
  octal(header, FIELD.devminor, 0);
  // The checksum is the byte sum with its own field read as spaces: six digits, NUL, space.
  header.fill(' ', FIELD.checksum[0], FIELD.checksum[0] + FIELD.checksum[1]);
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, FIELD.checksum[0], 'latin1');
  return header;
}

/** Zeros that bring a member of `size` bytes to a whole block. */
export function paddingFor(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}
