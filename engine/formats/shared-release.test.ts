import { describe, expect, it } from 'vitest';
import { SharedRelease } from './shared-release.js';

describe('SharedRelease', () => {
  it('releases once the first holder and every later one let go, in any order', () => {
    let released = 0;
    const shared = new SharedRelease(() => released++);
    const a = shared.hold();
    const b = shared.hold();
    a();
    a(); // a repeated release counts once
    shared.drop();
    expect(released).toBe(0);
    b();
    expect(released).toBe(1);
  });

  it('releases at once when the first holder lets go and nobody else holds it', () => {
    let released = 0;
    new SharedRelease(() => released++).drop();
    expect(released).toBe(1);
  });
});
