/**
 * Passes values on at most once per `interval` ms. A value arriving sooner waits and is replaced
 * by any newer one, so the latest always gets out (late by less than `interval`).
 */
export class Throttle<T> {
  private last = -Infinity;
  private pending: { value: T } | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly interval: number,
    private readonly emit: (value: T) => void,
  ) {}

  push(value: T): void {
    const wait = this.last + this.interval - performance.now();
    if (wait <= 0 && this.timer === null) {
      this.send(value);
      return;
    }
    this.pending = { value };
    this.timer ??= setTimeout(() => this.flush(), Math.max(0, wait));
  }

  /** Sends what is waiting, now. */
  flush(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const pending = this.pending;
    this.pending = null;
    if (pending) this.send(pending.value);
  }

  /** Drops what is waiting. */
  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }

  private send(value: T): void {
    this.last = performance.now();
    this.emit(value);
  }
}
