// @vitest-environment happy-dom
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeFerry } from '../test-support/fake-ferry.js';
import { renderWith, settle } from '../test-support/render.js';
import { storeAt } from '../test-support/wizard-at.js';
import { DestinationScreen } from './DestinationScreen.js';

afterEach(cleanup);

async function renderDestination(api = new FakeFerry(), language: 'en' | 'fr' = 'en') {
  const store = await storeAt('destination', api);
  return renderWith(<DestinationScreen />, { api, store, language });
}

const TARGETS = {
  vmware: 'VMware Workstation / Player / ESXi',
  virtualbox: 'Oracle VirtualBox',
  hyperv: 'Microsoft Hyper-V',
  libvirt: 'KVM / libvirt',
  ovf: 'OVF / OVA package',
  disk: 'Virtual disk only',
};

/** The format radios offered, and the one checked. */
function formatChoices(): { offered: string[]; checked: string | undefined } {
  const formats = screen.queryAllByRole('radio').filter((r) => r.getAttribute('name') === 'format');
  const name = (radio: HTMLElement): string =>
    document.getElementById(radio.getAttribute('aria-labelledby')!)!.textContent!;
  return {
    offered: formats.map(name),
    checked: formats.filter((radio) => (radio as HTMLInputElement).checked).map(name)[0],
  };
}

function willWrite(): string[] {
  return within(screen.getByRole('list', { name: 'Will write' }))
    .getAllByRole('listitem')
    .map((item) => item.textContent ?? '');
}

describe('the Destination screen', () => {
  it('offers a machine for each hypervisor, or the disk alone, and says how each is used', async () => {
    await renderDestination();
    const group = screen.getByRole('group', { name: 'What to write' });
    const radios = within(group).getAllByRole('radio');
    expect(radios.map((radio) => radio.getAttribute('value'))).toEqual(Object.keys(TARGETS));
    for (const name of Object.values(TARGETS))
      expect(within(group).getByRole('radio', { name })).toBeTruthy();
    expect(within(group).getByRole('radio', { name: TARGETS.vmware })).toHaveProperty(
      'checked',
      true,
    );
    expect(
      within(group).getByRole('radio', { name: TARGETS.libvirt }).getAttribute('aria-describedby'),
    ).toBeTruthy();
    expect(within(group).getByText(/^Define it with virsh define/)).toBeTruthy();
  });

  it('offers the disk formats the chosen hypervisor runs, its usual one first, and every one for the disk alone', async () => {
    const { user, store } = await renderDestination();
    const pick = (target: keyof typeof TARGETS) =>
      user.click(screen.getByRole('radio', { name: TARGETS[target] }));
    expect(formatChoices()).toEqual({
      offered: ['VMDK, growable', 'VMDK, flat'],
      checked: 'VMDK, growable',
    });
    expect(screen.getByText('The formats VMware runs a machine from.')).toBeTruthy();
    await pick('virtualbox');
    expect(formatChoices()).toEqual({
      offered: ['VDI', 'VMDK, growable', 'VMDK, flat', 'VHD, dynamic', 'VHD, fixed'],
      checked: 'VDI',
    });
    await pick('hyperv');
    expect(formatChoices()).toEqual({
      offered: ['VHDX', 'VHD, dynamic', 'VHD, fixed'],
      checked: 'VHDX',
    });
    await user.click(screen.getByRole('radio', { name: 'VHD, fixed' }));
    expect(store.getState().format).toBe('vhd-fixed');
    await pick('libvirt');
    expect(formatChoices()).toEqual({ offered: ['QCOW2', 'Raw image'], checked: 'QCOW2' });
    await user.click(screen.getByRole('checkbox', { name: /Compress data clusters/ }));
    expect(store.getState()).toMatchObject({ format: 'qcow2', compress: true });
    await pick('ovf');
    expect(formatChoices().offered).toEqual([]);
    expect(screen.getByText('VMDK, stream-optimized')).toBeTruthy();
    await pick('disk');
    expect(formatChoices()).toEqual({
      offered: [
        'VMDK, growable',
        'VMDK, flat',
        'VMDK, stream-optimized',
        'VDI',
        'VHDX',
        'VHD, dynamic',
        'VHD, fixed',
        'QCOW2',
        'Raw image',
      ],
      checked: 'VMDK, stream-optimized',
    });
    expect(screen.getByText('Every format Ferry writes.')).toBeTruthy();
    expect(store.getState()).toMatchObject({ target: 'disk', format: 'vmdk-stream' });
  });

  it('names the machine and its files after the source, in the chosen folder', async () => {
    const { user } = await renderDestination();
    const name = screen.getByRole('textbox', { name: 'Machine name' }) as HTMLInputElement;
    expect(name.value).toBe('laptop');
    expect(screen.getByText('Its files are named after it.')).toBeTruthy();
    expect(willWrite()).toEqual(['/home/ada/laptop.vmdk', '/home/ada/laptop.vmx']);
    await user.click(screen.getByRole('radio', { name: 'VMDK, flat' }));
    expect(willWrite()).toEqual([
      '/home/ada/laptop.vmdk',
      '/home/ada/laptop-flat.vmdk',
      '/home/ada/laptop.vmx',
    ]);
    await user.click(screen.getByRole('radio', { name: TARGETS.virtualbox }));
    expect(willWrite()).toEqual(['/home/ada/laptop.vdi', '/home/ada/laptop.vbox']);
    await user.click(screen.getByRole('radio', { name: TARGETS.disk }));
    expect(willWrite()).toEqual(['/home/ada/laptop.vdi']);
    const file = screen.getByRole('textbox', { name: 'File name' });
    await user.clear(file);
    await user.type(file, 'old/pc');
    expect(file.getAttribute('aria-invalid')).toBe('true');
    expect(
      screen.getByText('A name cannot contain / or \\; choose the folder above.'),
    ).toBeTruthy();
    expect(screen.queryByRole('list', { name: 'Will write' })).toBeNull();
  });

  it('writes an OVF machine as a folder of files, or packs it in one .ova', async () => {
    const { user, store } = await renderDestination();
    await user.click(screen.getByRole('radio', { name: TARGETS.ovf }));
    expect(willWrite()).toEqual([
      '/home/ada/laptop.ovf',
      '/home/ada/laptop.vmdk',
      '/home/ada/laptop.mf',
    ]);
    expect(screen.getByText('.vmdk')).toBeTruthy();
    await user.click(screen.getByRole('checkbox', { name: /Single .ova file/ }));
    expect(store.getState().ova).toBe(true);
    expect(willWrite()).toEqual(['/home/ada/laptop.ova']);
    expect(screen.getByText('.ova')).toBeTruthy();
    // The disk is written first, then packed: it takes its room twice meanwhile.
    expect(screen.getByText('100 GiB free; the output should take at most 24.8 MiB.')).toBeTruthy();
    await user.click(screen.getByRole('radio', { name: TARGETS.vmware }));
    expect(screen.queryByRole('checkbox', { name: /Single .ova file/ })).toBeNull();
    expect(willWrite()).toEqual(['/home/ada/laptop.vmdk', '/home/ada/laptop.vmx']);
  });

  it('checks the free space of the folder against the estimate', async () => {
    const { user } = await renderDestination();
    // The GPT image: 2 MiB of tables and gaps, plus 10.4 MiB its three filesystems use.
    expect(screen.getByText('100 GiB free; the output should take at most 12.4 MiB.')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Browse…' }));
    await settle();
    const dialog = screen.getByRole('dialog', { name: 'Choose the destination folder' });
    await user.click(within(dialog).getByRole('button', { name: /VMs/ }));
    await settle();
    await user.click(within(dialog).getByRole('button', { name: 'Use this folder' }));
    await settle();
    expect((screen.getByRole('textbox', { name: 'Folder' }) as HTMLInputElement).value).toBe(
      '/home/ada/VMs',
    );
    expect(screen.getByText('The folder may be too small')).toBeTruthy();
    expect(
      screen.getByText(/Only 8 MiB free, and the output may take up to 12.4 MiB/),
    ).toBeTruthy();
  });

  it('reports a folder that does not exist once the field is left', async () => {
    const { user } = await renderDestination();
    const folder = screen.getByRole('textbox', { name: 'Folder' });
    await user.clear(folder);
    expect(screen.getByText('Choose a folder for the output.')).toBeTruthy();
    await user.type(folder, '/mnt/gone');
    await user.tab();
    await settle();
    expect(screen.getByRole('alert').textContent).toContain('/mnt/gone: no such folder');
  });

  it('reads in French', async () => {
    await renderDestination(new FakeFerry(), 'fr');
    expect(screen.getByRole('heading', { level: 2, name: 'Choisir la destination' })).toBeTruthy();
    expect(screen.getByRole('group', { name: 'Quoi écrire' })).toBeTruthy();
    expect(screen.getByRole('radio', { name: 'Disque virtuel seul' })).toBeTruthy();
    expect(screen.getByRole('textbox', { name: 'Nom de la machine' })).toBeTruthy();
    expect(screen.getByRole('list', { name: 'Fichiers écrits :' })).toBeTruthy();
    expect(
      screen.getByText('100 Gio libres ; la sortie devrait occuper au plus 12,4 Mio.'),
    ).toBeTruthy();
  });
});
