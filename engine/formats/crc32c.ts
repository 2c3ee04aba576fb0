/**
 * CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, initial value and final XOR
 * 0xFFFFFFFF), the checksum of VHDX headers, region tables and log entries. Sliced by four
 * tables, so a 64 KiB region table costs microseconds.
 */

const TABLES = buildTables();

function buildTables(): Uint32Array[] {
  const first = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    first[n] = c >>> 0;
  }
  const tables = [first];
  for (let t = 1; t < 4; t++) {
    const previous = tables[t - 1]!;
    const table = new Uint32Array(256);
    for (let n = 0; n < 256; n++)
      table[n] = (first[previous[n]! & 0xff]! ^ (previous[n]! >>> 8)) >>> 0;
    tables.push(table);
  }
  return tables;
}

/** The CRC-32C of `data`. */
export function crc32c(data: Uint8Array): number {
  const [t0, t1, t2, t3] = TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let crc = 0xffffffff;
  let i = 0;
  const whole = data.length - (data.length % 4);
  for (; i < whole; i += 4) {
    crc ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    crc = t3[crc & 0xff]! ^ t2[(crc >>> 8) & 0xff]! ^ t1[(crc >>> 16) & 0xff]! ^ t0[crc >>> 24]!;
  }
  for (; i < data.length; i++) crc = t0[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}
