/**
 * Which Windows a SOFTWARE hive belongs to, from HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion.
 * The values there carry compatibility quirks that Microsoft kept for old programs; each is
 * undone below where it is read.
 */
import type { RegistryKey } from './registry-hive.js';

/** The key's path inside the SOFTWARE hive. */
export const CURRENT_VERSION_KEY = 'Microsoft\\Windows NT\\CurrentVersion';

/** The first build of Windows 11 (21H2); Windows 10 builds stay below it. */
const FIRST_WINDOWS_11_BUILD = 22000;

export interface WindowsVersion {
  /** What a person calls it ("Windows 11 Pro", "Windows Server 2022 Standard"). */
  name: string;
  /** The kernel version ("10.0", "6.3", "6.1", "5.1"); Windows 11 is "10.0" too. */
  version: string | null;
  /** EditionID ("Professional", "ServerStandard"); Windows XP has none. */
  edition: string | null;
  build: number | null;
  server: boolean;
}

export function readWindowsVersion(key: RegistryKey): WindowsVersion {
  const build = buildNumber(key);
  const edition = text(key, 'EditionID');
  const server = isServer(key, edition);
  return {
    name: productName(key, build, server),
    version: kernelVersion(key),
    edition,
    build,
    server,
  };
}

/**
 * Windows 8.1 froze CurrentVersion at "6.3" so that old version checks keep passing; Windows 10
 * and 11 still write "6.3" there and the real version in the two DWORDs next to it.
 */
function kernelVersion(key: RegistryKey): string | null {
  const major = dword(key, 'CurrentMajorVersionNumber');
  const minor = dword(key, 'CurrentMinorVersionNumber');
  if (major !== null && minor !== null) return `${major}.${minor}`;
  const legacy = text(key, 'CurrentVersion');
  return legacy !== null && /^\d+\.\d+$/.test(legacy) ? legacy : null;
}

/**
 * CurrentBuildNumber first: on Windows XP CurrentBuild holds "1.511.1 () (Obsolete data - do
 * not use)" while CurrentBuildNumber holds the build.
 */
function buildNumber(key: RegistryKey): number | null {
  for (const name of ['CurrentBuildNumber', 'CurrentBuild']) {
    const value = text(key, name);
    if (value !== null && /^\d{1,9}$/.test(value)) return Number(value);
  }
  return null;
}

/**
 * Windows 11 kept ProductName "Windows 10 …" for the programs that parse it; only the build
 * number tells the two apart, so a client from build 22000 on is renamed. Servers are left alone: Windows
 * Server 2025 shares Windows 11's builds but names itself correctly.
 */
function productName(key: RegistryKey, build: number | null, server: boolean): string {
  const name = text(key, 'ProductName') ?? 'Windows';
  if (server || build === null || build < FIRST_WINDOWS_11_BUILD) return name;
  return name.replace(/\bWindows 10\b/, 'Windows 11');
}

/**
 * InstallationType says "Client", "Server" or "Server Core" from Windows 7 / Server 2008 R2 on;
 * before that the edition or the product name tells ("Microsoft Windows Server 2003").
 */
function isServer(key: RegistryKey, edition: string | null): boolean {
  const installation = text(key, 'InstallationType');
  if (installation !== null) return installation.startsWith('Server');
  if (edition !== null && edition.startsWith('Server')) return true;
  return /\bServer\b/.test(text(key, 'ProductName') ?? '');
}

/** A string value, trimmed; null when missing, empty or of another type. */
function text(key: RegistryKey, name: string): string | null {
  const value = key.value(name);
  if (value?.type !== 'REG_SZ' && value?.type !== 'REG_EXPAND_SZ') return null;
  const trimmed = value.data.trim();
  return trimmed === '' ? null : trimmed;
}

function dword(key: RegistryKey, name: string): number | null {
  const value = key.value(name);
  return value?.type === 'REG_DWORD' ? value.data : null;
}
