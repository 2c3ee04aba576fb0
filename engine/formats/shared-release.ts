/**
 * Memory several holders view at once: the extents cut from one chunk, the grains cut from one
 * extent. Its `release` runs once whoever cut it (the first holder) and every holder added since
 * have let go, so a view released early never lets the memory be reused under another view.
 */
export class SharedRelease {
  private holders = 1;

  constructor(private readonly release: () => void) {}

  /** Adds a holder; returns its release, which does nothing when called again. */
  hold(): () => void {
    this.holders++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.drop();
    };
  }

  /** The first holder lets go: nothing more will be cut from the memory. */
  drop(): void {
    if (--this.holders === 0) this.release();
  }
}
