import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { mergedHive, regFile, regKey } from '../../test/fixtures/registry.js';
import { RegistryHive } from './registry-hive.js';
import { CURRENT_VERSION_KEY, readWindowsVersion } from './windows-version.js';

/**
 * The CurrentVersion values each release of Windows writes (the ones Ferry reads), as seen in
 * its own SOFTWARE hive. No Windows tool runs here, so hivexregedit writes them into a real hive,
 * each release under a key of its own: "<release>\Microsoft\Windows NT\CurrentVersion".
 */
const RELEASES: Record<string, Record<string, string | number>> = {
  'Windows 11 Pro 23H2': {
    ProductName: 'Windows 10 Pro',
    CurrentVersion: '6.3',
    CurrentBuild: '22631',
    CurrentBuildNumber: '22631',
    EditionID: 'Professional',
    InstallationType: 'Client',
    CurrentMajorVersionNumber: 10,
    CurrentMinorVersionNumber: 0,
  },
  'Windows 10 Pro 22H2': {
    ProductName: 'Windows 10 Pro',
    CurrentVersion: '6.3',
    CurrentBuild: '19045',
    CurrentBuildNumber: '19045',
    EditionID: 'Professional',
    InstallationType: 'Client',
    CurrentMajorVersionNumber: 10,
    CurrentMinorVersionNumber: 0,
  },
  'Windows Server 2022': {
    ProductName: 'Windows Server 2022 Standard',
    CurrentVersion: '6.3',
    CurrentBuild: '20348',
    CurrentBuildNumber: '20348',
    EditionID: 'ServerStandard',
    InstallationType: 'Server',
    CurrentMajorVersionNumber: 10,
    CurrentMinorVersionNumber: 0,
  },
  'Windows Server 2025 Core': {
    ProductName: 'Windows Server 2025 Datacenter',
    CurrentVersion: '6.3',
    CurrentBuild: '26100',
    CurrentBuildNumber: '26100',
    EditionID: 'ServerDatacenter',
    InstallationType: 'Server Core',
    CurrentMajorVersionNumber: 10,
    CurrentMinorVersionNumber: 0,
  },
  'Windows 8.1 Pro': {
    ProductName: 'Windows 8.1 Pro',
    CurrentVersion: '6.3',
    CurrentBuild: '9600',
    CurrentBuildNumber: '9600',
    EditionID: 'Professional',
    InstallationType: 'Client',
  },
  'Windows 7 Professional': {
    ProductName: 'Windows 7 Professional',
    CurrentVersion: '6.1',
    CurrentBuild: '7601',
    CurrentBuildNumber: '7601',
    EditionID: 'Professional',
    InstallationType: 'Client',
  },
  'Windows XP': {
    ProductName: 'Microsoft Windows XP',
    CurrentVersion: '5.1',
    CurrentBuild: '1.511.1 () (Obsolete data - do not use)',
    CurrentBuildNumber: '2600',
  },
  'Windows Server 2003': {
    ProductName: 'Microsoft Windows Server 2003',
    CurrentVersion: '5.2',
    CurrentBuild: '1.511.1 () (Obsolete data - do not use)',
    CurrentBuildNumber: '3790',
  },
  'Nothing but a build': {
    CurrentBuildNumber: '19045',
    // A value of the wrong type is as good as missing.
    CurrentMajorVersionNumber: '10',
  },
};

/** Every release under a key of its own, merged into one hive. */
function releasesHive(): Promise<string> {
  const keys = Object.entries(RELEASES).flatMap(([release, values]) =>
    regKey(`${release}\\${CURRENT_VERSION_KEY}`, values),
  );
  return mergedHive('guest-windows-releases-hive', regFile(keys));
}

async function versionOf(release: string): Promise<ReturnType<typeof readWindowsVersion>> {
  const path = await releasesHive();
  const hive = new RegistryHive(await readFile(path), path);
  return readWindowsVersion(hive.key(`${release}\\${CURRENT_VERSION_KEY}`)!);
}

describe('readWindowsVersion', () => {
  it('names Windows 11 although it calls itself Windows 10', async () => {
    expect(await versionOf('Windows 11 Pro 23H2')).toEqual({
      name: 'Windows 11 Pro',
      version: '10.0',
      edition: 'Professional',
      build: 22631,
      server: false,
    });
  });

  it('leaves Windows 10 as it is and reads the version behind CurrentVersion "6.3"', async () => {
    expect(await versionOf('Windows 10 Pro 22H2')).toEqual({
      name: 'Windows 10 Pro',
      version: '10.0',
      edition: 'Professional',
      build: 19045,
      server: false,
    });
  });

  it.each([
    ['Windows Server 2022', 'Windows Server 2022 Standard', 'ServerStandard', 20348],
    ['Windows Server 2025 Core', 'Windows Server 2025 Datacenter', 'ServerDatacenter', 26100],
  ])('knows %s for a server by its InstallationType', async (release, name, edition, build) => {
    expect(await versionOf(release)).toEqual({
      name,
      version: '10.0',
      edition,
      build,
      server: true,
    });
  });

  it.each([
    ['Windows 8.1 Pro', '6.3', 9600],
    ['Windows 7 Professional', '6.1', 7601],
  ])('reads %s from CurrentVersion', async (name, version, build) => {
    expect(await versionOf(name)).toEqual({
      name,
      version,
      edition: 'Professional',
      build,
      server: false,
    });
  });

  it('takes XP and Server 2003 builds from CurrentBuildNumber, not the obsolete CurrentBuild', async () => {
    expect(await versionOf('Windows XP')).toEqual({
      name: 'Microsoft Windows XP',
      version: '5.1',
      edition: null,
      build: 2600,
      server: false,
    });
    expect(await versionOf('Windows Server 2003')).toMatchObject({ build: 3790, server: true });
  });

  it('falls back to "Windows" and nulls when values are missing or mistyped', async () => {
    expect(await versionOf('Nothing but a build')).toEqual({
      name: 'Windows',
      version: null,
      edition: null,
      build: 19045,
      server: false,
    });
  });
});
