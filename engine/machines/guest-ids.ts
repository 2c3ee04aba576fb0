/**
 * The names each hypervisor gives an operating system. Every id below is one the product itself
 * defines, checked against its source: VMware's vmx guestOS keys (open-vm-tools
 * lib/include/guest_os_tables.h, GOKM entries), VirtualBox's OSType ids (Main/src-all/Global.cpp),
 * libosinfo ids (osinfo-db) and the CIM_OperatingSystem OSType values that OVF's
 * OperatingSystemSection uses (as VirtualBox's ovfreader.h lists them, CIM 2.52).
 *
 * A VMware or VirtualBox id the product does not know stops the machine from loading, so where a
 * release is newer than the ids of the products we target (VMware Workstation 17 / ESXi 8 and
 * VirtualBox 7.0, see vmx.ts and vbox.ts), the newest older id stands in for it.
 */
import type { GuestOs } from '../../shared/guest.js';

export type WindowsRelease =
  | 'xp'
  | '2003'
  | 'vista'
  | '2008'
  | '7'
  | '2008r2'
  | '8'
  | '2012'
  | '8.1'
  | '2012r2'
  | '10'
  | '11'
  | '2016'
  | '2019'
  | '2022'
  | '2025';

/** First builds of the Windows 10 kernel releases that have a name of their own. */
const WINDOWS_11_BUILD = 22000;
const SERVER_BUILDS: [number, WindowsRelease][] = [
  [26100, '2025'],
  [20348, '2022'],
  [17763, '2019'],
  [0, '2016'],
];

/** Desktop and server releases of each NT version before 10.0. */
const NT_RELEASES: Record<string, [WindowsRelease, WindowsRelease]> = {
  '5.1': ['xp', 'xp'],
  '5.2': ['xp', '2003'],
  '6.0': ['vista', '2008'],
  '6.1': ['7', '2008r2'],
  '6.2': ['8', '2012'],
  '6.3': ['8.1', '2012r2'],
};

/**
 * Which Windows a guest is, or null when it is not Windows or cannot be told. Windows 11 still
 * calls itself "Windows 10" in ProductName and version 10.0, so the build number decides.
 */
export function windowsRelease(guest: GuestOs | null): WindowsRelease | null {
  if (guest?.family !== 'windows') return null;
  const server = /server/i.test(guest.edition ?? '') || /server/i.test(guest.name);
  const version = guest.version ?? versionFromName(guest.name);
  if (version === null) return null;
  const nt = NT_RELEASES[version];
  if (nt) return server ? nt[1] : nt[0];
  if (version !== '10.0') return null;
  const build = guest.build ?? (/windows 11/i.test(guest.name) ? WINDOWS_11_BUILD : 0);
  if (!server) return build >= WINDOWS_11_BUILD ? '11' : '10';
  const year = /server (20\d\d)/i.exec(guest.name)?.[1];
  if (guest.build === null && year && ['2016', '2019', '2022', '2025'].includes(year)) {
    return year as WindowsRelease;
  }
  return SERVER_BUILDS.find(([first]) => build >= first)?.[1] ?? '2016';
}

function versionFromName(name: string): string | null {
  if (/windows (10|11)|server 20(16|19|22|25)/i.test(name)) return '10.0';
  if (/windows 8\.1|server 2012 r2/i.test(name)) return '6.3';
  if (/windows 8|server 2012/i.test(name)) return '6.2';
  if (/windows 7|server 2008 r2/i.test(name)) return '6.1';
  if (/vista|server 2008/i.test(name)) return '6.0';
  if (/server 2003/i.test(name)) return '5.2';
  if (/windows xp/i.test(name)) return '5.1';
  return null;
}

/** 32-bit only when the disk says so: an unknown architecture is almost always x86_64. */
function is32Bit(guest: GuestOs): boolean {
  return guest.architecture === 'x86';
}

/** The major version of a Linux VERSION_ID ("12", "9.3" -> 9), or null. */
function major(guest: GuestOs): number | null {
  const match = /^(\d+)/.exec(guest.version ?? '');
  return match ? Number(match[1]) : null;
}

/** Picks the entry for the highest version at or below `version`; `fallback` when none fits. */
function byVersion<T>(version: number | null, table: [number, T][], fallback: T): T {
  if (version === null) return table[0]?.[1] ?? fallback;
  return table.find(([from]) => version >= from)?.[1] ?? fallback;
}

const VMWARE_WINDOWS: Record<WindowsRelease, [string, string]> = {
  xp: ['winXPPro-64', 'winXPPro'],
  '2003': ['winNetStandard-64', 'winNetStandard'],
  vista: ['winvista-64', 'winvista'],
  '2008': ['longhorn-64', 'longhorn'],
  '7': ['windows7-64', 'windows7'],
  '2008r2': ['windows7srv-64', 'windows7srv-64'],
  '8': ['windows8-64', 'windows8'],
  '8.1': ['windows8-64', 'windows8'],
  '2012': ['windows8srv-64', 'windows8srv-64'],
  '2012r2': ['windows8srv-64', 'windows8srv-64'],
  // VMware kept "windows9" as the id of Windows 10.
  '10': ['windows9-64', 'windows9'],
  '11': ['windows11-64', 'windows11-64'],
  '2016': ['windows9srv-64', 'windows9srv-64'],
  '2019': ['windows2019srv-64', 'windows2019srv-64'],
  '2022': ['windows2019srvNext-64', 'windows2019srvNext-64'],
  // windows2022srvNext-64 (Server 2025) is newer than Workstation 17.0 / ESXi 8.0.
  '2025': ['windows2019srvNext-64', 'windows2019srvNext-64'],
};

/** VMware's .vmx `guestOS` key. */
export function vmwareGuestOs(guest: GuestOs | null): string {
  if (guest === null) return 'other-64';
  const bits32 = is32Bit(guest);
  if (guest.family === 'windows') {
    const release = windowsRelease(guest);
    const ids = release ? VMWARE_WINDOWS[release] : VMWARE_WINDOWS['10'];
    return bits32 ? ids[1] : ids[0];
  }
  const id64 = vmwareLinux64(guest);
  if (!bits32) return id64;
  // A 32-bit Linux key is its 64-bit key without "-64", for the releases that had 32-bit builds.
  return NO_32_BIT_TWIN.test(id64) ? 'otherlinux' : id64.replace(/-64$/, '');
}

/** 64-bit-only Linux keys: these releases were never built for 32-bit x86. */
const NO_32_BIT_TWIN =
  /^(rhel[89]|centos[89]|oraclelinux[89]|sles15|rockylinux|almalinux|amazonlinux\d)-64$/;

function vmwareLinux64(guest: GuestOs): string {
  const version = major(guest);
  switch (guest.id) {
    case 'debian':
      // VMware has debian4 to debian12 (debian13 is newer than ESXi 8.0).
      return `debian${Math.min(Math.max(version ?? 12, 4), 12)}-64`;
    case 'ubuntu':
      return 'ubuntu-64';
    case 'rhel':
      return byVersion(
        version,
        [
          [9, 'rhel9-64'],
          [8, 'rhel8-64'],
          [7, 'rhel7-64'],
          [6, 'rhel6-64'],
        ],
        'rhel5-64',
      );
    case 'centos':
      return byVersion(
        version,
        [
          [9, 'centos9-64'],
          [8, 'centos8-64'],
          [7, 'centos7-64'],
          [6, 'centos6-64'],
        ],
        'centos-64',
      );
    case 'rocky':
      return 'rockylinux-64';
    case 'almalinux':
      return 'almalinux-64';
    case 'ol':
      return byVersion(
        version,
        [
          [9, 'oraclelinux9-64'],
          [8, 'oraclelinux8-64'],
          [7, 'oraclelinux7-64'],
          [6, 'oraclelinux6-64'],
        ],
        'oraclelinux-64',
      );
    case 'fedora':
      return 'fedora-64';
    case 'opensuse':
    case 'opensuse-leap':
    case 'opensuse-tumbleweed':
      return 'opensuse-64';
    case 'sles':
    case 'sled':
      return byVersion(
        version,
        [
          [15, 'sles15-64'],
          [12, 'sles12-64'],
          [11, 'sles11-64'],
        ],
        'sles-64',
      );
    case 'amzn':
      return version === 2 ? 'amazonlinux2-64' : 'amazonlinux3-64';
    default:
      return 'otherlinux-64';
  }
}

const VIRTUALBOX_WINDOWS: Record<WindowsRelease, [string, string]> = {
  xp: ['WindowsXP_64', 'WindowsXP'],
  '2003': ['Windows2003_64', 'Windows2003'],
  vista: ['WindowsVista_64', 'WindowsVista'],
  '2008': ['Windows2008_64', 'Windows2008'],
  '7': ['Windows7_64', 'Windows7'],
  '2008r2': ['Windows2008_64', 'Windows2008_64'],
  '8': ['Windows8_64', 'Windows8'],
  '8.1': ['Windows81_64', 'Windows81'],
  '2012': ['Windows2012_64', 'Windows2012_64'],
  '2012r2': ['Windows2012_64', 'Windows2012_64'],
  '10': ['Windows10_64', 'Windows10'],
  '11': ['Windows11_64', 'Windows11_64'],
  '2016': ['Windows2016_64', 'Windows2016_64'],
  '2019': ['Windows2019_64', 'Windows2019_64'],
  '2022': ['Windows2022_64', 'Windows2022_64'],
  // VirtualBox 7.0 has no Server 2025 type; 2022 shares its kernel lineage and defaults.
  '2025': ['Windows2022_64', 'Windows2022_64'],
};

/**
 * VirtualBox's Machine/@OSType. Linux gets the distribution's family id rather than a versioned
 * one (Debian12_64…): those exist only from VirtualBox 7.0 on, and the defaults are the same.
 */
export function virtualBoxOsType(guest: GuestOs | null): string {
  if (guest === null) return 'Other_64';
  const suffix = is32Bit(guest) ? '' : '_64';
  if (guest.family === 'windows') {
    const release = windowsRelease(guest);
    const ids = release ? VIRTUALBOX_WINDOWS[release] : VIRTUALBOX_WINDOWS['10'];
    return is32Bit(guest) ? ids[1] : ids[0];
  }
  const family: Record<string, string> = {
    debian: 'Debian',
    ubuntu: 'Ubuntu',
    rhel: 'RedHat',
    centos: 'RedHat',
    rocky: 'RedHat',
    almalinux: 'RedHat',
    fedora: 'Fedora',
    ol: 'Oracle',
    opensuse: 'OpenSUSE',
    'opensuse-leap': 'OpenSUSE',
    'opensuse-tumbleweed': 'OpenSUSE',
    sles: 'OpenSUSE',
    sled: 'OpenSUSE',
    arch: 'ArchLinux',
    gentoo: 'Gentoo',
    mageia: 'Mageia',
  };
  // Linux26 is VirtualBox's "Linux 2.6 / 3.x / 4.x / 5.x": any other modern Linux.
  return `${family[guest.id] ?? 'Linux26'}${suffix}`;
}

const OSINFO_WINDOWS: Record<WindowsRelease, string> = {
  xp: 'xp',
  '2003': '2k3',
  vista: 'vista',
  '2008': '2k8',
  '7': '7',
  '2008r2': '2k8r2',
  '8': '8',
  '8.1': '8.1',
  '2012': '2k12',
  '2012r2': '2k12r2',
  '10': '10',
  '11': '11',
  '2016': '2k16',
  '2019': '2k19',
  '2022': '2k22',
  '2025': '2k25',
};

/**
 * The libosinfo id libvirt keeps in the domain's metadata (virt-manager and virt-install read
 * it). Versions follow osinfo-db's spelling: RHEL and CentOS 7 with a minor, Debian without.
 */
export function osinfoId(guest: GuestOs | null): string {
  if (guest === null) return 'http://libosinfo.org/unknown';
  if (guest.family === 'windows') {
    const release = windowsRelease(guest);
    return `http://microsoft.com/win/${OSINFO_WINDOWS[release ?? '10']}`;
  }
  const version = guest.version;
  const whole = major(guest);
  const withMinor = version === null ? null : /^\d+$/.test(version) ? `${version}.0` : version;
  const linux = 'http://libosinfo.org/linux/2022';
  switch (guest.id) {
    case 'debian':
      return whole === null
        ? 'http://debian.org/debian/testing'
        : `http://debian.org/debian/${whole}`;
    case 'ubuntu':
      return version === null ? linux : `http://ubuntu.com/ubuntu/${version}`;
    case 'fedora':
      return version === null ? linux : `http://fedoraproject.org/fedora/${version}`;
    case 'rhel':
      return withMinor === null ? linux : `http://redhat.com/rhel/${withMinor}`;
    case 'centos':
      if (whole === null) return linux;
      if (whole >= 8) return `http://centos.org/centos-stream/${whole}`;
      return `http://centos.org/centos/${withMinor}`;
    case 'rocky':
      return whole === null ? linux : `http://rockylinux.org/rocky/${whole}`;
    case 'almalinux':
      return whole === null ? linux : `http://almalinux.org/almalinux/${whole}`;
    case 'ol':
      return withMinor === null ? linux : `http://oracle.com/ol/${withMinor}`;
    case 'opensuse-tumbleweed':
      return 'http://opensuse.org/opensuse/tumbleweed';
    case 'opensuse':
    case 'opensuse-leap':
      return version === null ? linux : `http://opensuse.org/opensuse/${version}`;
    case 'sles':
    case 'sled':
      if (version === null) return linux;
      return whole !== null && whole >= 15
        ? `http://suse.com/sle/${version}`
        : `http://suse.com/sles/${version}`;
    case 'arch':
      return 'http://archlinux.org/archlinux/rolling';
    case 'gentoo':
      return 'http://gentoo.org/gentoo/rolling';
    default:
      return linux;
  }
}

/** CIM_OperatingSystem OSType values (64-bit, 32-bit). */
const CIM_WINDOWS: Record<WindowsRelease, [number, number]> = {
  xp: [71, 67],
  '2003': [70, 69],
  vista: [74, 73],
  '2008': [77, 76],
  '7': [105, 105],
  '2008r2': [103, 103],
  '8': [114, 113],
  '8.1': [117, 116],
  '2012': [112, 112],
  '2012r2': [115, 115],
  '10': [120, 119],
  // CIM has no Windows 11 or Server 2019+ value; vmw:osType carries the precise release.
  '11': [120, 120],
  '2016': [118, 118],
  '2019': [118, 118],
  '2022': [118, 118],
  '2025': [118, 118],
};

const CIM_LINUX: Record<string, [number, number]> = {
  debian: [96, 95],
  ubuntu: [94, 93],
  rhel: [80, 79],
  centos: [107, 106],
  ol: [109, 108],
  sles: [85, 84],
  sled: [85, 84],
  opensuse: [83, 82],
  'opensuse-leap': [83, 82],
  'opensuse-tumbleweed': [83, 82],
  mandriva: [90, 89],
};

export interface OvfOperatingSystem {
  /** OperatingSystemSection/@ovf:id. */
  id: number;
  /** VMware's vSphere guest id (vmw:osType), which ESXi prefers to the CIM number. */
  vmwareOsType: string;
}

/** The OVF OperatingSystemSection of a guest. */
export function ovfOperatingSystem(guest: GuestOs | null): OvfOperatingSystem {
  const vmwareOsType = vsphereGuestId(vmwareGuestOs(guest));
  if (guest === null) return { id: 102, vmwareOsType };
  const index = is32Bit(guest) ? 1 : 0;
  if (guest.family === 'windows') {
    return { id: CIM_WINDOWS[windowsRelease(guest) ?? '10'][index], vmwareOsType };
  }
  // 101 "Linux 64-Bit" and 36 "LINUX" for distributions CIM does not name.
  return { id: (CIM_LINUX[guest.id] ?? [101, 36])[index], vmwareOsType };
}

/**
 * The vSphere API name of a vmx guestOS key (GOKM's second column). The mapping is irregular
 * ("ubuntu-64" -> "ubuntu64Guest", "debian12-64" -> "debian12_64Guest"), so it is spelled out.
 */
const VSPHERE_IDS: Record<string, string> = {
  'other-64': 'otherGuest64',
  other: 'otherGuest',
  winXPPro: 'winXPProGuest',
  'winXPPro-64': 'winXPPro64Guest',
  winNetStandard: 'winNetStandardGuest',
  'winNetStandard-64': 'winNetStandard64Guest',
  winvista: 'winVistaGuest',
  'winvista-64': 'winVista64Guest',
  longhorn: 'winLonghornGuest',
  'longhorn-64': 'winLonghorn64Guest',
  windows7: 'windows7Guest',
  'windows7-64': 'windows7_64Guest',
  'windows7srv-64': 'windows7Server64Guest',
  windows8: 'windows8Guest',
  'windows8-64': 'windows8_64Guest',
  'windows8srv-64': 'windows8Server64Guest',
  windows9: 'windows9Guest',
  'windows9-64': 'windows9_64Guest',
  'windows11-64': 'windows11_64Guest',
  'windows9srv-64': 'windows9Server64Guest',
  'windows2019srv-64': 'windows2019srv_64Guest',
  'windows2019srvNext-64': 'windows2019srvNext_64Guest',
  'ubuntu-64': 'ubuntu64Guest',
  ubuntu: 'ubuntuGuest',
  'fedora-64': 'fedora64Guest',
  fedora: 'fedoraGuest',
  'opensuse-64': 'opensuse64Guest',
  opensuse: 'opensuseGuest',
  'centos-64': 'centos64Guest',
  centos: 'centosGuest',
  'oraclelinux-64': 'oracleLinux64Guest',
  oraclelinux: 'oracleLinuxGuest',
  'sles-64': 'sles64Guest',
  sles: 'slesGuest',
  'otherlinux-64': 'otherLinux64Guest',
  otherlinux: 'otherLinuxGuest',
  'rockylinux-64': 'rockylinux_64Guest',
  'almalinux-64': 'almalinux_64Guest',
  'amazonlinux2-64': 'amazonlinux2_64Guest',
  'amazonlinux3-64': 'amazonlinux3_64Guest',
};

export function vsphereGuestId(vmxKey: string): string {
  const known = VSPHERE_IDS[vmxKey];
  if (known) return known;
  // The regular rest: "debian12-64" -> "debian12_64Guest", "rhel9-64" -> "rhel9_64Guest",
  // "oraclelinux9-64" -> "oracleLinux9_64Guest", "centos6" -> "centos6Guest".
  const named = vmxKey.replace(/^oraclelinux/, 'oracleLinux');
  return named.endsWith('-64') ? `${named.slice(0, -3)}_64Guest` : `${named}Guest`;
}
