import { describe, expect, it } from 'vitest';
import { parseCount, parsePartitionList, parsePositiveSize, parseResizes } from './layout-args.js';

const GiB = 2 ** 30;

describe('layout options', () => {
  it('reads partition lists and refuses what is not one', () => {
    expect(parsePartitionList('1,3, 5')).toEqual([1, 3, 5]);
    for (const bad of ['', '1,,3', 'a', '0', '1,1', '2.5', '-1', '999']) {
      expect(() => parsePartitionList(bad), bad).toThrow(
        expect.objectContaining({ code: 'USAGE', where: '--partitions' }),
      );
    }
  });

  it('reads N=SIZE resizes in binary units, each partition once', () => {
    expect(parseResizes(['2=20G', '5=512M'])).toEqual({ 2: 20 * GiB, 5: 512 * 2 ** 20 });
    expect(parseResizes(['2=max', '5=1G'])).toEqual({ 2: 'max', 5: GiB });
    expect(parseResizes(['3=MAX'])).toEqual({ 3: 'max' });
    for (const bad of [
      ['2'],
      ['=5G'],
      ['2=0'],
      ['2=big'],
      ['2=1G', '2=2G'],
      ['x=1G'],
      ['2=max', '3=max'],
    ]) {
      expect(() => parseResizes(bad), bad.join(' ')).toThrow(
        expect.objectContaining({ code: 'USAGE', where: '--resize' }),
      );
    }
  });

  it('reads sizes and counts within their bounds', () => {
    expect(parsePositiveSize('19GiB', '--disk-size')).toBe(19 * GiB);
    expect(() => parsePositiveSize('0', '--disk-size')).toThrow(/not a size/);
    expect(parseCount('4', '--cpus', 64)).toBe(4);
    for (const bad of ['0', '65', '1.5', 'two', '']) {
      expect(() => parseCount(bad, '--cpus', 64), bad).toThrow(
        expect.objectContaining({ code: 'USAGE', where: '--cpus' }),
      );
    }
  });
});
