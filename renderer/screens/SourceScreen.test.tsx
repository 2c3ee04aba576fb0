// @vitest-environment happy-dom
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ShellApi } from '../../shared/api.js';
import { FakeFerry } from '../test-support/fake-ferry.js';
import { GPT_IMAGE, MBR_IMAGE } from '../test-support/fixtures.js';
import { renderWith, settle } from '../test-support/render.js';
import { SourceScreen } from './SourceScreen.js';

afterEach(cleanup);

async function renderSource(api = new FakeFerry(), language: 'en' | 'fr' = 'en') {
  const rendered = renderWith(<SourceScreen />, { api, language });
  rendered.store.getState().start();
  await settle();
  return rendered;
}

describe('the Source screen', () => {
  it('shows each disk with its model, size, bus, badges and partitions with usage', async () => {
    await renderSource();
    const system = screen.getByRole('radio', { name: 'Samsung SSD 970 EVO 2TB' });
    expect(system.getAttribute('aria-describedby')).toBeTruthy();
    expect(screen.getByText('1.82 TiB · NVMe · /dev/nvme0n1')).toBeTruthy();
    expect(screen.getByText('System disk — live clone')).toBeTruthy();
    expect(screen.getByText('14.6 GiB · USB · /dev/sda')).toBeTruthy();
    expect(screen.getByText('Removable')).toBeTruthy();
    const partitions = screen.getByRole('list', { name: 'Partitions of Samsung SSD 970 EVO 2TB' });
    const root = within(partitions).getByRole('meter', { name: 'Usage of root' });
    expect(root.getAttribute('aria-valuenow')).toBe('21');
    expect(root.getAttribute('aria-valuetext')).toBe('384 GiB used of 1.82 TiB');
    // An unmounted volume has no usage to show, only its size.
    const stick = screen.getByRole('list', { name: "Partitions of SanDisk' Cruzer Fit" });
    expect(within(stick).queryByRole('meter')).toBeNull();
    expect(within(stick).getByText('14.6 GiB')).toBeTruthy();
  });

  it('warns that the system disk is copied live once it is chosen, and shows its partition table', async () => {
    const { user } = await renderSource();
    await user.click(screen.getByRole('radio', { name: 'Samsung SSD 970 EVO 2TB' }));
    await settle();
    expect(screen.getByText('This disk runs the current system')).toBeTruthy();
    const table = screen.getByRole('table', { name: 'Partitions' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(
      rows.map((row) =>
        within(row)
          .getAllByRole('cell')
          .map((c) => c.textContent),
      ),
    ).toEqual([
      ['1', 'EFI System', 'FAT32', 'ESP', '1 MiB', '16 MiB', '268.5 KiB'],
      ['2', 'Linux filesystem', 'ext4', 'root', '17 MiB', '40 MiB', '10.1 MiB'],
      ['3', 'Linux swap', 'Linux swap', 'swap', '57 MiB', '6 MiB', '4 KiB'],
    ]);
  });

  it('says why the disks could not be listed', async () => {
    const api = new FakeFerry({
      listDisks: () => {
        throw new Error('lsblk: permission denied');
      },
    });
    await renderSource(api);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('The disks could not be listed');
    expect(alert.textContent).toContain('lsblk: permission denied');
  });

  it('inspects a typed image path and shows an MBR with logical partitions', async () => {
    const { user } = await renderSource();
    await user.click(screen.getByRole('radio', { name: 'Disk image or virtual disk file' }));
    const field = screen.getByRole('textbox', { name: 'Image or virtual disk file' });
    await user.type(field, MBR_IMAGE);
    await user.click(screen.getByRole('button', { name: 'Inspect' }));
    await settle();
    const table = screen.getByRole('table', { name: 'Partitions' });
    expect(within(table).getByText('NTFS')).toBeTruthy();
    expect(within(table).getByText('Windows')).toBeTruthy();
    expect(within(table).getAllByText(/logical/)).toHaveLength(2);
    expect(screen.getByText('MBR')).toBeTruthy();
    expect(system()).toBe('Windows 10 Pro, build 19045, x86_64, on partition 1');
  });

  it('shows the system found on the source, or that none was', async () => {
    const { user } = await renderSource();
    await user.click(screen.getByRole('radio', { name: 'Samsung SSD 970 EVO 2TB' }));
    await settle();
    expect(system()).toBe('Debian GNU/Linux 12 (bookworm), x86_64, on partition 2');
    await user.click(screen.getByRole('radio', { name: "SanDisk' Cruzer Fit" }));
    await settle();
    expect(system()).toBe('None recognised');
  });

  it('shows the engine’s reason when an image cannot be read', async () => {
    const { user } = await renderSource();
    await user.click(screen.getByRole('radio', { name: 'Disk image or virtual disk file' }));
    await user.type(
      screen.getByRole('textbox', { name: 'Image or virtual disk file' }),
      '/tmp/x.img{Enter}',
    );
    await settle();
    expect(screen.getByRole('alert').textContent).toContain('/tmp/x.img: no such file or device');
  });

  it('browses the engine’s folders in a browser and inspects the file picked', async () => {
    const { user, api } = await renderSource();
    await user.click(screen.getByRole('radio', { name: 'Disk image or virtual disk file' }));
    await user.click(screen.getByRole('button', { name: 'Browse…' }));
    await settle();
    const dialog = screen.getByRole('dialog', { name: 'Choose a disk image' });
    await user.click(within(dialog).getByRole('button', { name: /images/ }));
    await settle();
    await user.click(within(dialog).getByRole('button', { name: /laptop\.img/ }));
    await settle();
    expect(screen.queryByRole('dialog')).toBeNull();
    // The first listing is the store's starting folder for the output; then the dialog's two.
    expect(api.callsTo('browse')).toEqual([{}, {}, { path: '/home/ada/images' }]);
    expect(api.callsTo('inspect')).toEqual([{ source: GPT_IMAGE }]);
    expect(
      (screen.getByRole('textbox', { name: 'Image or virtual disk file' }) as HTMLInputElement)
        .value,
    ).toBe(GPT_IMAGE);
  });

  it('uses the native file dialog in Electron', async () => {
    const shell: ShellApi = {
      chooseFile: vi.fn(async () => MBR_IMAGE),
      chooseFolder: vi.fn(async () => null),
      showInFolder: vi.fn(async () => undefined),
      setProgress: vi.fn(),
    };
    const { user, api } = await renderSource(new FakeFerry({}, shell));
    await user.click(screen.getByRole('radio', { name: 'Disk image or virtual disk file' }));
    await user.click(screen.getByRole('button', { name: 'Browse…' }));
    await settle();
    expect(shell.chooseFile).toHaveBeenCalledWith({ title: 'Choose a disk image' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.callsTo('inspect')).toEqual([{ source: MBR_IMAGE }]);
  });

  it('reads in French', async () => {
    const { user } = await renderSource(new FakeFerry(), 'fr');
    expect(
      screen.getByRole('radio', { name: 'Image disque ou fichier de disque virtuel' }),
    ).toBeTruthy();
    expect(screen.getByText('14,6 Gio · USB · /dev/sda')).toBeTruthy();
    expect(screen.getByText('Amovible')).toBeTruthy();
    await user.click(screen.getByRole('radio', { name: "SanDisk' Cruzer Fit" }));
    await settle();
    expect(system('Système')).toBe('Aucun reconnu');
  });
});

/** The inspection's line about the system on the disk. */
function system(term = 'System'): string | null {
  const found = screen.getAllByRole('term').find((dt) => dt.textContent === term);
  return found?.nextElementSibling?.textContent ?? null;
}
