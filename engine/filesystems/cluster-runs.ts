import type { RangeBuilder } from '../ranges.js';

/**
 * Turns per-cluster "in use" answers, given in increasing cluster order, into byte ranges:
 * cluster i covers [origin + i * clusterSize, + clusterSize). Used by allocation bitmaps (NTFS,
 * exFAT) and allocation tables (FAT) alike, so each only says which clusters are used.
 */
export class ClusterRuns {
  private runStart = -1;
  private next = 0;

  constructor(
    private readonly builder: RangeBuilder,
    private readonly origin: number,
    private readonly clusterSize: number,
  ) {}

  /** Marks the next cluster used or free. */
  push(used: boolean): void {
    if (used) {
      if (this.runStart < 0) this.runStart = this.next;
    } else {
      this.flush();
    }
    this.next++;
  }

  /** Feeds `count` bits of an allocation bitmap, least significant bit first. */
  pushBits(bitmap: Buffer, count: number): void {
    const whole = Math.floor(count / 8);
    for (let i = 0; i < whole; i++) {
      const byte = bitmap[i] ?? 0;
      // Whole bytes that continue the current state need no per-bit work.
      if ((byte === 0 && this.runStart < 0) || (byte === 0xff && this.runStart >= 0)) {
        this.next += 8;
      } else {
        for (let bit = 0; bit < 8; bit++) this.push((byte & (1 << bit)) !== 0);
      }
    }
    const last = bitmap[whole] ?? 0;
    for (let bit = 0; bit < count - whole * 8; bit++) this.push((last & (1 << bit)) !== 0);
  }

  /** Ends the scan; call once after the last cluster. */
  finish(): void {
    this.flush();
  }

  private flush(): void {
    if (this.runStart < 0) return;
    const start = this.origin + this.runStart * this.clusterSize;
    this.builder.add(start, (this.next - this.runStart) * this.clusterSize);
    this.runStart = -1;
  }
}
