/**
 * Memory that may be written with O_DIRECT. Writing past the page cache needs the buffer's
 * address, the file position and the length all aligned to the device's logical block. Node's
 * Buffers come from malloc, 16-byte aligned at best, and nothing in JavaScript tells their
 * address. A WebAssembly memory is different: V8 maps it from whole pages, so a view of it at a
 * page multiple is page-aligned, and the kernel commits its pages only as they are first touched.
 */

/** Alignment of the buffer, the file position and the length of a direct write. */
export const DIRECT_ALIGNMENT = 4096;

const WASM_PAGE = 64 * 1024;

/** The one WebAssembly call used here; Node's types leave WebAssembly to the DOM library. */
declare const WebAssembly: {
  Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
};

/** Backing stores of the slabs handed out, to tell their views from other Buffers. */
const slabs = new WeakSet<ArrayBufferLike>();

/**
 * `count` buffers of `size` bytes (a multiple of DIRECT_ALIGNMENT) cut from one page-aligned
 * slab, or null where WebAssembly is unavailable (V8 started with --jitless, or the address
 * space is limited): callers then use ordinary Buffers, which are written through the page cache.
 */
export function alignedBuffers(count: number, size: number): Buffer[] | null {
  if (size % DIRECT_ALIGNMENT !== 0) throw new RangeError(`size ${size} is not page-aligned`);
  let memory: { readonly buffer: ArrayBuffer };
  try {
    memory = new WebAssembly.Memory({ initial: Math.ceil((count * size) / WASM_PAGE) });
  } catch {
    return null;
  }
  slabs.add(memory.buffer);
  return Array.from({ length: count }, (_, index) =>
    Buffer.from(memory.buffer, index * size, size),
  );
}

/** True when `data` lies in an aligned slab and starts and ends on its alignment. */
export function isAligned(data: Buffer): boolean {
  return startsAligned(data) && data.length % DIRECT_ALIGNMENT === 0;
}

/** True when `data` lies in an aligned slab and starts on its alignment (any length). */
export function startsAligned(data: Buffer): boolean {
  return slabs.has(data.buffer) && data.byteOffset % DIRECT_ALIGNMENT === 0;
}
