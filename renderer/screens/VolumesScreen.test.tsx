// @vitest-environment happy-dom
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeFerry } from '../test-support/fake-ferry.js';
import { MBR_IMAGE } from '../test-support/fixtures.js';
import { renderWith } from '../test-support/render.js';
import { storeAt } from '../test-support/wizard-at.js';
import { VolumesScreen } from './VolumesScreen.js';

afterEach(cleanup);

async function renderVolumes(language: 'en' | 'fr' = 'en') {
  const api = new FakeFerry();
  const store = await storeAt('volumes', api);
  return renderWith(<VolumesScreen />, { api, store, language });
}

function rowTexts(): string[][] {
  const table = screen.getByRole('table', { name: 'Volumes of the source' });
  return within(table)
    .getAllByRole('row')
    .slice(1)
    .map((row) => [
      within(row).getByRole('rowheader').textContent ?? '',
      ...within(row)
        .getAllByRole('cell')
        .map((cell) => cell.textContent ?? ''),
    ]);
}

describe('the Volumes screen', () => {
  it('lists each volume with its filesystem, usage and how it is copied, all included', async () => {
    await renderVolumes();
    expect(rowTexts()).toEqual([
      ['#1 · EFI System', 'FAT32 “ESP”', '268.5 KiB used of 16 MiB', 'used blocks only', 'Yes'],
      [
        '#2 · Linux filesystem',
        'ext4 “root”',
        '10.1 MiB used of 40 MiB',
        'used blocks only',
        'Yes',
      ],
      ['#3 · Linux swap', 'Linux swap “swap”', '4 KiB used of 6 MiB', 'used blocks only', 'Yes'],
    ]);
    expect(screen.getByText(/Every partition is included/)).toBeTruthy();
    expect(screen.queryByRole('checkbox')).toBeNull();
  });

  it('copies an unrecognised partition whole, and everything whole with every block', async () => {
    const { user, store } = await renderVolumes();
    store.getState().setImagePath(MBR_IMAGE);
    await store.getState().inspectImage();
    expect(rowTexts().map((row) => row[3])).toEqual([
      'used blocks only',
      'used blocks only',
      'whole',
    ]);
    expect(rowTexts()[2]?.[1]).toBe('Not recognised');
    await user.click(screen.getByRole('radio', { name: 'Every block' }));
    expect(store.getState().allBlocks).toBe(true);
    expect(rowTexts().map((row) => row[3])).toEqual(['whole', 'whole', 'whole']);
    expect(screen.getByText('48 MiB')).toBeTruthy();
  });

  it('explains why thick is not possible for a format without a preallocated variant', async () => {
    const { user, store } = await renderVolumes();
    const thick = screen.getByRole('radio', { name: 'Thick' });
    expect(thick).toHaveProperty('disabled', true);
    expect(
      screen.getByText(
        'The VMDK, growable format has no preallocated variant. Raw, VHD, VHDX and VDI can be thick.',
      ),
    ).toBeTruthy();
    store.getState().chooseTarget('hyperv');
    await user.click(await screen.findByRole('radio', { name: 'Thick' }));
    expect(store.getState().thick).toBe(true);
    expect(screen.getByText('64 MiB')).toBeTruthy();
  });

  it('reads in French', async () => {
    await renderVolumes('fr');
    expect(screen.getByRole('radio', { name: 'Blocs utilisés seulement' })).toHaveProperty(
      'checked',
      true,
    );
    expect(screen.getAllByText('blocs utilisés seulement')).toHaveLength(3);
    expect(screen.getByText(/Toutes les partitions sont incluses/)).toBeTruthy();
  });
});
