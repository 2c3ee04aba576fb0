/**
 * Cuts an extent stream into whole grains of a fixed size (qcow2 clusters, VDI blocks), the
 * unit a format allocates. Extents may start and end anywhere; bytes of a grain no extent
 * covers are zeros. Grains wholly inside one extent are passed on as views of it, without a
 * copy; the others are assembled in a buffer of their own.
 */
import type { Extent } from './types.js';

/** Receives grain `index` (its bytes start at index * grain size). */
export type EmitGrain = (index: number, data: Buffer) => Promise<void>;

export class GrainAssembler {
  private pendingIndex = -1;
  private pending: Buffer | undefined;
  /** End of the last extent added: extents must come in increasing order. */
  private written = 0;

  constructor(
    private readonly grainSize: number,
    /** Size of the virtual disk: no extent may pass it. */
    private readonly diskSize: number,
    private readonly emit: EmitGrain,
  ) {}

  async add({ offset, data }: Extent): Promise<void> {
    if (offset < this.written || offset + data.length > this.diskSize) {
      throw new RangeError(
        `extent of ${data.length} bytes at ${offset} is out of order or beyond the disk (${this.diskSize} bytes)`,
      );
    }
    this.written = offset + data.length;
    let done = 0;
    while (done < data.length) {
      const position = offset + done;
      const index = Math.floor(position / this.grainSize);
      const within = position - index * this.grainSize;
      const length = Math.min(this.grainSize - within, data.length - done);
      if (length === this.grainSize) {
        await this.flush();
        await this.emit(index, data.subarray(done, done + length));
      } else {
        let pending = this.pending;
        if (!pending || index !== this.pendingIndex) {
          await this.flush();
          pending = Buffer.alloc(this.grainSize);
          this.pending = pending;
          this.pendingIndex = index;
        }
        data.copy(pending, within, done, done + length);
      }
      done += length;
    }
  }

  /** Passes on the grain being assembled, if any. Call once more after the last extent. */
  async flush(): Promise<void> {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    await this.emit(this.pendingIndex, pending);
  }
}
