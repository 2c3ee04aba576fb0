import { describe, expect, it } from 'vitest';
import type { InspectReport } from '../../shared/layout.js';
import { runFerry } from '../../test/fixtures/ferry.js';
import {
  DEBIAN_12_GUEST,
  linuxGuestDisk,
  WINDOWS_10_PRO_GUEST,
  windowsGuestDisk,
} from '../../test/fixtures/guest-disks.js';

async function inspectJson(image: string): Promise<InspectReport> {
  const run = await runFerry(['inspect', '--json', image]);
  expect(run.stderr).toBe('');
  expect(run.exitCode).toBe(0);
  return JSON.parse(run.stdout) as InspectReport;
}

describe('ferry inspect names the installed system', () => {
  it('reports Debian 12 in --json and on a System: line', async () => {
    const image = await linuxGuestDisk();
    expect((await inspectJson(image)).guest).toEqual(DEBIAN_12_GUEST);
    const text = await runFerry(['inspect', image]);
    expect(text.exitCode).toBe(0);
    expect(text.stdout.split('\n')).toContain(
      'System: Debian GNU/Linux 12 (bookworm) (x86_64) on partition 2',
    );
  });

  it('reports Windows 10 Pro in --json and on a System: line', async () => {
    const image = await windowsGuestDisk();
    expect((await inspectJson(image)).guest).toEqual(WINDOWS_10_PRO_GUEST);
    const text = await runFerry(['inspect', image]);
    expect(text.exitCode).toBe(0);
    expect(text.stdout.split('\n')).toContain(
      'System: Windows 10 Pro (build 19045, x86_64) on partition 2',
    );
  });
});
