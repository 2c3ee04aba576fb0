/**
 * LZNT1, the compression of NTFS compressed files. A compression unit is a run of chunks, each
 * standing for 4 KiB of output: a 2-byte header (bit 15: compressed; low 12 bits: stored size
 * minus 3, header included) and either 4096 literal bytes or groups of eight tokens behind a
 * flag byte. A token is a literal byte or a 16-bit back-reference whose split between distance
 * and length depends on how far into the chunk it is. A zero header ends the unit.
 */
import { ntfsError } from '../filesystems/ntfs-boot.js';

const CHUNK = 4096;
const COMPRESSED = 0x8000;
const SIZE_MASK = 0x0fff;
const MIN_MATCH = 3;

/** Decompresses one compression unit into `outputSize` bytes; what no chunk covers is zero. */
export function decompressLznt1(input: Buffer, outputSize: number, where: string): Buffer {
  const bad = (message: string): Error => ntfsError(`compressed data: ${message}`, where);
  const out = Buffer.alloc(outputSize);
  let inAt = 0;
  let outAt = 0;
  while (inAt + 2 <= input.length && outAt < outputSize) {
    const header = input.readUInt16LE(inAt);
    if (header === 0) break;
    const chunkEnd = inAt + (header & SIZE_MASK) + 3;
    if (chunkEnd > input.length) throw bad(`a chunk at ${inAt} runs past its unit`);
    if (outAt + CHUNK > outputSize) throw bad(`a chunk at ${inAt} decompresses past its unit`);
    inAt += 2;
    if ((header & COMPRESSED) === 0) {
      if (chunkEnd - inAt !== CHUNK) throw bad(`a stored chunk at ${inAt - 2} is not 4096 bytes`);
      input.copy(out, outAt, inAt, chunkEnd);
    } else {
      decompressChunk(input.subarray(inAt, chunkEnd), out.subarray(outAt, outAt + CHUNK), bad);
    }
    inAt = chunkEnd;
    // A chunk that decompresses short leaves the rest of its 4 KiB zero.
    outAt += CHUNK;
  }
  return out;
}

function decompressChunk(chunk: Buffer, out: Buffer, bad: (message: string) => Error): void {
  let inAt = 0;
  let outAt = 0;
  while (inAt < chunk.length) {
    const flags = chunk[inAt++] ?? 0;
    for (let token = 0; token < 8 && inAt < chunk.length; token++) {
      if ((flags & (1 << token)) === 0) {
        if (outAt >= out.length) throw bad('literals overflow their 4 KiB chunk');
        out[outAt++] = chunk[inAt++] ?? 0;
        continue;
      }
      if (inAt + 2 > chunk.length) throw bad('a back-reference is cut off');
      if (outAt === 0) throw bad('a chunk starts with a back-reference');
      const reference = chunk.readUInt16LE(inAt);
      inAt += 2;
      // The further into the chunk, the more bits the distance needs and the fewer the length.
      let lengthBits = 12;
      for (let position = outAt - 1; position >= 0x10; position >>= 1) lengthBits--;
      const distance = (reference >> lengthBits) + 1;
      const length = (reference & ((1 << lengthBits) - 1)) + MIN_MATCH;
      if (distance > outAt || outAt + length > out.length) {
        throw bad(`a back-reference of ${length} bytes from ${distance} back leaves its chunk`);
      }
      // Byte by byte: a match may overlap the bytes it produces.
      for (let i = 0; i < length; i++, outAt++) out[outAt] = out[outAt - distance] ?? 0;
    }
  }
}
