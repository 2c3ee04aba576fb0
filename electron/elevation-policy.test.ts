import { describe, expect, it } from 'vitest';
import { isDevicePath, needsElevation, requestSource } from './elevation-policy.js';

const denied = { code: 'PERMISSION_DENIED', message: '/dev/sda: permission denied' };
const spec = (source: string) => ({ spec: { source, destination: '/tmp/x.vmdk', format: 'vmdk' } });

describe('requestSource', () => {
  it('finds the source of requests that read one', () => {
    expect(requestSource('inspect', { source: '/dev/sda' })).toBe('/dev/sda');
    expect(requestSource('plan', spec('/dev/sdb'))).toBe('/dev/sdb');
    expect(requestSource('startJob', spec('disk.img'))).toBe('disk.img');
  });

  it('finds none elsewhere or in malformed params', () => {
    expect(requestSource('listDisks', {})).toBeNull();
    expect(requestSource('browse', { path: '/dev' })).toBeNull();
    expect(requestSource('inspect', null)).toBeNull();
    expect(requestSource('inspect', { source: 7 })).toBeNull();
    expect(requestSource('plan', { spec: 'nope' })).toBeNull();
  });
});

describe('isDevicePath', () => {
  it.each([
    ['/dev/sda', 'linux', true],
    ['/dev/nvme0n1', 'linux', true],
    ['/home/ann/disk.img', 'linux', false],
    ['/dev/disk2', 'darwin', true],
    ['/dev/rdisk2', 'darwin', true],
    ['/dev/null', 'darwin', false],
    ['/Users/ann/disk.img', 'darwin', false],
    ['\\\\.\\PhysicalDrive0', 'win32', true],
    ['C:\\images\\disk.vhdx', 'win32', false],
    ['/dev/ada0', 'freebsd', false],
  ] as const)('%s on %s: %s', (path, platform, expected) => {
    expect(isDevicePath(path, platform)).toBe(expected);
  });
});

describe('needsElevation', () => {
  const host = { platform: 'linux' as const, elevated: false };

  it('elevates when reading a disk was refused for lack of rights', () => {
    expect(
      needsElevation({ name: 'inspect', params: { source: '/dev/sda' }, error: denied }, host),
    ).toBe(true);
    expect(
      needsElevation({ name: 'startJob', params: spec('/dev/sda'), error: denied }, host),
    ).toBe(true);
  });

  it('does not for an image, another error, or a host that is already elevated', () => {
    expect(
      needsElevation({ name: 'inspect', params: { source: '/tmp/a.img' }, error: denied }, host),
    ).toBe(false);
    expect(
      needsElevation(
        {
          name: 'inspect',
          params: { source: '/dev/sda' },
          error: { code: 'SOURCE_NOT_FOUND', message: '' },
        },
        host,
      ),
    ).toBe(false);
    expect(
      needsElevation(
        { name: 'inspect', params: { source: '/dev/sda' }, error: denied },
        { ...host, elevated: true },
      ),
    ).toBe(false);
  });
});
