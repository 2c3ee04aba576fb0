import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Throttle } from './throttle.js';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Throttle', () => {
  it('passes the first value at once, then the latest once per interval', () => {
    const sent: number[] = [];
    const throttle = new Throttle<number>(250, (value) => sent.push(value));
    throttle.push(1);
    throttle.push(2);
    throttle.push(3);
    expect(sent).toEqual([1]);
    vi.advanceTimersByTime(249);
    expect(sent).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([1, 3]);
    for (let ms = 0; ms < 1000; ms += 10) {
      throttle.push(ms);
      vi.advanceTimersByTime(10);
    }
    expect(sent.length).toBeLessThanOrEqual(2 + 4);
    vi.advanceTimersByTime(250);
    expect(sent.at(-1)).toBe(990);
  });

  it('sends what waits on flush, and drops it on cancel', () => {
    const sent: string[] = [];
    const throttle = new Throttle<string>(250, (value) => sent.push(value));
    throttle.push('a');
    throttle.push('b');
    throttle.flush();
    expect(sent).toEqual(['a', 'b']);
    throttle.push('c');
    throttle.cancel();
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual(['a', 'b']);
  });
});
