/**
 * Writes a VDI block map (one little-endian u32 per virtual block) front to back while the
 * blocks are written, one 1 MiB slice at a time, so a map of any size costs 1 MiB of memory.
 * Entries must be set in increasing block order; entries never set say "not allocated".
 */
const SLICE_ENTRIES = 2 ** 18;

/** Receives a finished slice of the map, to be written at `position` of the image file. */
export type EmitSlice = (position: number, slice: Buffer) => void;

export class VdiBlockMapWriter {
  private slice = 0;
  // 0xff bytes: every entry VDI_IMAGE_BLOCK_FREE until set.
  private entries = Buffer.alloc(SLICE_ENTRIES * 4, 0xff);

  constructor(
    private readonly offset: number,
    private readonly blocks: number,
    private readonly emit: EmitSlice,
  ) {}

  set(block: number, physical: number): void {
    const slice = Math.floor(block / SLICE_ENTRIES);
    while (this.slice < slice) this.emitSlice();
    this.entries.writeUInt32LE(physical, (block - slice * SLICE_ENTRIES) * 4);
  }

  /** Emits the rest of the map. */
  finish(): void {
    while (this.slice * SLICE_ENTRIES < this.blocks) this.emitSlice();
  }

  private emitSlice(): void {
    const first = this.slice * SLICE_ENTRIES;
    const count = Math.min(SLICE_ENTRIES, this.blocks - first);
    this.emit(this.offset + first * 4, this.entries.subarray(0, count * 4));
    this.entries = Buffer.alloc(SLICE_ENTRIES * 4, 0xff);
    this.slice++;
  }
}
