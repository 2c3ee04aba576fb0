import { describe, expect, it } from 'vitest';
import type { GuestOs } from '../../shared/guest.js';
import {
  osinfoId,
  ovfOperatingSystem,
  virtualBoxOsType,
  vmwareGuestOs,
  vsphereGuestId,
  windowsRelease,
} from './guest-ids.js';
import { GUESTS } from '../../test/fixtures/machines.js';

const guest = (name: string): GuestOs => GUESTS[name]!;

/**
 * vmx guestOS keys and their vSphere names, copied from VMware's own table (open-vm-tools
 * lib/include/guest_os_tables.h, GOKM(vmxKey, vimKey)) for every key Ferry can hand out.
 */
const VMWARE_KEYS: Record<string, string> = {
  'other-64': 'otherGuest64',
  winXPPro: 'winXPProGuest',
  'winXPPro-64': 'winXPPro64Guest',
  'winNetStandard-64': 'winNetStandard64Guest',
  'winvista-64': 'winVista64Guest',
  'longhorn-64': 'winLonghorn64Guest',
  windows7: 'windows7Guest',
  'windows7-64': 'windows7_64Guest',
  'windows7srv-64': 'windows7Server64Guest',
  'windows8-64': 'windows8_64Guest',
  'windows8srv-64': 'windows8Server64Guest',
  windows9: 'windows9Guest',
  'windows9-64': 'windows9_64Guest',
  'windows11-64': 'windows11_64Guest',
  'windows9srv-64': 'windows9Server64Guest',
  'windows2019srv-64': 'windows2019srv_64Guest',
  'windows2019srvNext-64': 'windows2019srvNext_64Guest',
  'debian12-64': 'debian12_64Guest',
  debian12: 'debian12Guest',
  'debian11-64': 'debian11_64Guest',
  debian11: 'debian11Guest',
  debian9: 'debian9Guest',
  'debian8-64': 'debian8_64Guest',
  debian8: 'debian8Guest',
  'debian4-64': 'debian4_64Guest',
  debian4: 'debian4Guest',
  'ubuntu-64': 'ubuntu64Guest',
  'rhel9-64': 'rhel9_64Guest',
  'rhel5-64': 'rhel5_64Guest',
  'centos7-64': 'centos7_64Guest',
  'rockylinux-64': 'rockylinux_64Guest',
  'almalinux-64': 'almalinux_64Guest',
  'oraclelinux9-64': 'oracleLinux9_64Guest',
  'fedora-64': 'fedora64Guest',
  'opensuse-64': 'opensuse64Guest',
  'sles15-64': 'sles15_64Guest',
  'amazonlinux2-64': 'amazonlinux2_64Guest',
  'otherlinux-64': 'otherLinux64Guest',
  otherlinux: 'otherLinuxGuest',
};

describe('windowsRelease', () => {
  it('tells Windows 11 by its build, since it still calls itself Windows 10', () => {
    expect(windowsRelease(guest('win11'))).toBe('11');
    expect(windowsRelease(guest('win10'))).toBe('10');
  });

  it('tells servers from desktops of the same kernel', () => {
    expect(windowsRelease(guest('win7'))).toBe('7');
    expect(windowsRelease(guest('server2008r2'))).toBe('2008r2');
    expect(windowsRelease(guest('server2016'))).toBe('2016');
    expect(windowsRelease(guest('server2019'))).toBe('2019');
    expect(windowsRelease(guest('server2022'))).toBe('2022');
    expect(windowsRelease(guest('server2025'))).toBe('2025');
  });

  it('falls back on the product name when version and build are missing', () => {
    const bare = { ...guest('server2019'), version: null, build: null };
    expect(windowsRelease(bare)).toBe('2019');
    expect(windowsRelease({ ...bare, name: 'Windows 8.1 Enterprise', edition: null })).toBe('8.1');
    expect(windowsRelease({ ...bare, name: 'Something else', edition: null })).toBeNull();
  });

  it('is null for Linux and for no guest', () => {
    expect(windowsRelease(guest('debian12'))).toBeNull();
    expect(windowsRelease(null)).toBeNull();
  });
});

describe('VMware guestOS', () => {
  const cases: [string | null, string][] = [
    ['debian12', 'debian12-64'],
    // debian13-64 is newer than the hardware version Ferry writes.
    ['debian13', 'debian12-64'],
    ['debian9-32', 'debian9'],
    ['ubuntu2204', 'ubuntu-64'],
    ['rhel9', 'rhel9-64'],
    ['centos7', 'centos7-64'],
    ['rocky9', 'rockylinux-64'],
    ['fedora39', 'fedora-64'],
    ['sles15', 'sles15-64'],
    ['arch', 'otherlinux-64'],
    ['alpine', 'otherlinux-64'],
    ['win11', 'windows11-64'],
    ['win10', 'windows9-64'],
    ['win10-32', 'windows9'],
    ['win81', 'windows8-64'],
    ['win7', 'windows7-64'],
    ['xp32', 'winXPPro'],
    ['server2008r2', 'windows7srv-64'],
    ['server2016', 'windows9srv-64'],
    ['server2019', 'windows2019srv-64'],
    ['server2022', 'windows2019srvNext-64'],
    ['server2025', 'windows2019srvNext-64'],
    [null, 'other-64'],
  ];
  it.each(cases)('%s -> %s', (name, key) => {
    expect(vmwareGuestOs(name === null ? null : guest(name))).toBe(key);
  });

  it('hands out only keys in VMware’s table, and names them as vSphere does', () => {
    const produced = new Set<string>();
    for (const g of Object.values(GUESTS)) produced.add(vmwareGuestOs(g));
    for (const version of [null, '4', '8', '11', '12', '13']) {
      for (const architecture of ['x86', 'x86_64'] as const) {
        produced.add(vmwareGuestOs({ ...guest('debian12'), version, architecture }));
      }
    }
    for (const [id, version] of [
      ['rhel', '5'],
      ['ol', '9.2'],
      ['almalinux', '9'],
      ['amzn', '2'],
      ['opensuse-leap', '15.5'],
    ] as const) {
      produced.add(vmwareGuestOs({ ...guest('rhel9'), id, version }));
    }
    produced.add(vmwareGuestOs({ ...guest('rhel9'), architecture: 'x86' }));
    produced.add(vmwareGuestOs(null));
    for (const key of produced) {
      expect(VMWARE_KEYS, key).toHaveProperty([key]);
      expect(vsphereGuestId(key)).toBe(VMWARE_KEYS[key]);
    }
  });
});

describe('VirtualBox OSType', () => {
  const cases: [string | null, string][] = [
    ['debian12', 'Debian_64'],
    ['debian9-32', 'Debian'],
    ['ubuntu2204', 'Ubuntu_64'],
    ['rhel9', 'RedHat_64'],
    ['rocky9', 'RedHat_64'],
    ['fedora39', 'Fedora_64'],
    ['sles15', 'OpenSUSE_64'],
    ['arch', 'ArchLinux_64'],
    ['alpine', 'Linux26_64'],
    ['win11', 'Windows11_64'],
    ['win10', 'Windows10_64'],
    ['win10-32', 'Windows10'],
    ['win81', 'Windows81_64'],
    ['xp32', 'WindowsXP'],
    ['server2008r2', 'Windows2008_64'],
    ['server2019', 'Windows2019_64'],
    ['server2025', 'Windows2022_64'],
    [null, 'Other_64'],
  ];
  it.each(cases)('%s -> %s', (name, id) => {
    expect(virtualBoxOsType(name === null ? null : guest(name))).toBe(id);
  });
});

describe('libosinfo id', () => {
  const cases: [string | null, string][] = [
    ['debian12', 'http://debian.org/debian/12'],
    ['ubuntu2204', 'http://ubuntu.com/ubuntu/22.04'],
    ['rhel9', 'http://redhat.com/rhel/9.3'],
    ['centos7', 'http://centos.org/centos/7.0'],
    ['rocky9', 'http://rockylinux.org/rocky/9'],
    ['fedora39', 'http://fedoraproject.org/fedora/39'],
    ['sles15', 'http://suse.com/sle/15.5'],
    ['arch', 'http://archlinux.org/archlinux/rolling'],
    ['alpine', 'http://libosinfo.org/linux/2022'],
    ['win11', 'http://microsoft.com/win/11'],
    ['win7', 'http://microsoft.com/win/7'],
    ['server2008r2', 'http://microsoft.com/win/2k8r2'],
    ['server2022', 'http://microsoft.com/win/2k22'],
    [null, 'http://libosinfo.org/unknown'],
  ];
  it.each(cases)('%s -> %s', (name, id) => {
    expect(osinfoId(name === null ? null : guest(name))).toBe(id);
  });
});

describe('OVF OperatingSystemSection', () => {
  const cases: [string | null, number, string][] = [
    // CIM_OperatingSystem OSType: 96 Debian 64-Bit, 95 Debian, 94 Ubuntu 64-Bit, 80 RHEL 64-Bit.
    ['debian12', 96, 'debian12_64Guest'],
    ['debian9-32', 95, 'debian9Guest'],
    ['ubuntu2204', 94, 'ubuntu64Guest'],
    ['rhel9', 80, 'rhel9_64Guest'],
    ['centos7', 107, 'centos7_64Guest'],
    // 101 Linux 64-Bit for distributions CIM does not name.
    ['fedora39', 101, 'fedora64Guest'],
    ['win10', 120, 'windows9_64Guest'],
    ['win11', 120, 'windows11_64Guest'],
    ['win7', 105, 'windows7_64Guest'],
    ['server2008r2', 103, 'windows7Server64Guest'],
    ['server2016', 118, 'windows9Server64Guest'],
    ['xp32', 67, 'winXPProGuest'],
    [null, 102, 'otherGuest64'],
  ];
  it.each(cases)('%s -> %i', (name, id, vmwareOsType) => {
    expect(ovfOperatingSystem(name === null ? null : guest(name))).toEqual({ id, vmwareOsType });
  });
});
