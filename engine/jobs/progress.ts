/** Progress of a job as the CLI and the app show it. */
export interface Progress {
  /** Bytes of the plan processed so far. */
  done: number;
  total: number;
  /** Bytes per second over the last few seconds. */
  rate: number;
  /** Seconds left at that rate, or null before there is a rate. */
  eta: number | null;
}

const WINDOW_MS = 5_000;

/** Turns a stream of "done so far" readings into rate and ETA over a sliding window. */
export class ProgressMeter {
  private readonly samples: { at: number; done: number }[] = [];

  constructor(
    private total: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Corrects the total once it is known exactly (a resized filesystem's used bytes). */
  retotal(total: number): void {
    this.total = total;
  }

  update(done: number): Progress {
    const at = this.now();
    this.samples.push({ at, done });
    while (this.samples.length > 2 && at - this.samples[0]!.at > WINDOW_MS) this.samples.shift();
    const first = this.samples[0]!;
    const seconds = (at - first.at) / 1000;
    const rate = seconds > 0 ? (done - first.done) / seconds : 0;
    const eta = rate > 0 ? (this.total - done) / rate : null;
    return { done, total: this.total, rate, eta };
  }
}
