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

const TARGET_NAMES = [
  'VMware Workstation / Player',
  'VMware ESXi / OVF import',
  'Oracle VirtualBox',
  'Microsoft Hyper-V',
  'KVM / libvirt / QEMU',
  'Microsoft Azure / Virtual PC',
  'Plain disk image',
];

describe('the Destination screen', () => {
  it('offers every target, each saying it produces the disk only', async () => {
    await renderDestination();
    const group = screen.getByRole('group', { name: 'Virtualization platform' });
    const radios = within(group).getAllByRole('radio');
    expect(radios.map((radio) => radio.getAttribute('value'))).toEqual([
      'workstation',
      'esxi',
      'virtualbox',
      'hyperv',
      'kvm',
      'azure',
      'raw',
    ]);
    for (const name of TARGET_NAMES)
      expect(within(group).getByRole('radio', { name })).toBeTruthy();
    expect(within(group).getAllByText(/^Disk only:/)).toHaveLength(7);
  });

  it('offers the variants a target has, and compression only for qcow2', async () => {
    const { user, store } = await renderDestination();
    expect(screen.getByRole('radio', { name: 'VMDK, growable' })).toHaveProperty('checked', true);
    await user.click(screen.getByRole('radio', { name: 'VMDK, flat' }));
    expect(store.getState().format).toBe('vmdk-flat');
    expect(screen.queryByRole('checkbox')).toBeNull();
    await user.click(screen.getByRole('radio', { name: 'Microsoft Azure / Virtual PC' }));
    expect(screen.getByRole('radio', { name: 'VHD, fixed' })).toHaveProperty('checked', true);
    expect(screen.getByRole('radio', { name: 'VHD, dynamic' })).toBeTruthy();
    await user.click(screen.getByRole('radio', { name: 'KVM / libvirt / QEMU' }));
    expect(screen.queryByRole('radio', { name: 'VHD, fixed' })).toBeNull();
    await user.click(screen.getByRole('checkbox', { name: /Compress data clusters/ }));
    expect(store.getState()).toMatchObject({ format: 'qcow2', compress: true });
  });

  it('names the file after the source, with the format’s extension, in the chosen folder', async () => {
    const { user } = await renderDestination();
    const name = screen.getByRole('textbox', { name: 'File name' }) as HTMLInputElement;
    expect(name.value).toBe('laptop');
    expect(screen.getByText('/home/ada/laptop.vmdk')).toBeTruthy();
    await user.click(screen.getByRole('radio', { name: 'Oracle VirtualBox' }));
    expect(screen.getByText('/home/ada/laptop.vdi')).toBeTruthy();
    await user.clear(name);
    await user.type(name, 'old/pc');
    expect(name.getAttribute('aria-invalid')).toBe('true');
    expect(
      screen.getByText('A name cannot contain / or \\; choose the folder above.'),
    ).toBeTruthy();
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
    expect(screen.getByRole('radio', { name: 'Image disque brute' })).toBeTruthy();
    expect(
      screen.getByText('100 Gio libres ; la sortie devrait occuper au plus 12,4 Mio.'),
    ).toBeTruthy();
  });
});
