/**
 * CRC-32 as IEEE 802.3, zlib and the UEFI specification define it (reflected polynomial
 * 0xEDB88320, initial value and final XOR 0xFFFFFFFF). GPT headers and entry arrays carry it;
 * the partition table writers and the VHD/VMDK code reuse it.
 */

const TABLE = buildTable();

function buildTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * The CRC-32 of `data`. Pass the result of a previous call as `previous` to continue a checksum
 * over data that arrives in pieces.
 */
export function crc32(data: Uint8Array, previous = 0): number {
  let crc = ~previous >>> 0;
  for (let i = 0; i < data.length; i++) {
    crc = (TABLE[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  }
  return ~crc >>> 0;
}
