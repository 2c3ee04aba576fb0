/**
 * A cheap guess at whether deflate can shrink a block, so that already-compressed or encrypted
 * data (media, archives, BitLocker/LUKS volumes, a disk full of random bytes) is not pushed
 * through a compressor that would spend most of a conversion's time to save nothing.
 */

/** Bytes sampled from each block, in SAMPLES pieces spread over it. */
const SAMPLE_BYTES = 4096;
const SAMPLES = 4;
/**
 * Order-0 entropy, in bits per byte, above which a block is stored as it is. Random data
 * measures about 7.95 on a 4 KiB sample; text, code, executables and filesystem metadata stay
 * well under 7 even where they compress poorly, so a false "incompressible" costs little.
 */
const INCOMPRESSIBLE_BITS = 7.9;

const counts = new Uint32Array(256);

export function looksIncompressible(block: Buffer): boolean {
  if (block.length < SAMPLE_BYTES * 2) return false;
  counts.fill(0);
  const piece = SAMPLE_BYTES / SAMPLES;
  const stride = Math.floor((block.length - piece) / (SAMPLES - 1));
  for (let s = 0; s < SAMPLES; s++) {
    const start = s * stride;
    for (let i = start; i < start + piece; i++) counts[block[i]!]!++;
  }
  let entropy = 0;
  for (const count of counts) {
    if (count === 0) continue;
    const p = count / SAMPLE_BYTES;
    entropy -= p * Math.log2(p);
  }
  return entropy > INCOMPRESSIBLE_BITS;
}
