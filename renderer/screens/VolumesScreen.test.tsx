// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlanSummary } from '../../shared/api.js';
import type { InspectReport } from '../../shared/layout.js';
import { WizardFooter } from '../app/WizardFooter.js';
import { FakeFerry } from '../test-support/fake-ferry.js';
import { GPT_REPORT, MBR_IMAGE, SPEC, planFor } from '../test-support/fixtures.js';
import { renderWith } from '../test-support/render.js';
import { planSettled, storeAt } from '../test-support/wizard-at.js';
import type { WizardStore } from '../store/wizard-store.js';
import { VolumesScreen } from './VolumesScreen.js';

afterEach(cleanup);

const MiB = 2 ** 20;

async function renderVolumes(
  options: { api?: FakeFerry; language?: 'en' | 'fr'; source?: string } = {},
) {
  const api = options.api ?? new FakeFerry();
  const store = await storeAt('volumes', api, {
    planDelayMs: 0,
    ...(options.source ? { source: options.source } : {}),
  });
  const rendered = renderWith(
    <>
      <VolumesScreen />
      <WizardFooter />
    </>,
    { api, store, language: options.language ?? 'en' },
  );
  return rendered;
}

/** Lets a change's plan request go out and its answer be rendered. */
async function replanned(store: WizardStore): Promise<void> {
  await act(() => planSettled(store));
}

function volume(name: string): HTMLElement {
  const item = screen.getByRole('checkbox', { name: `Copy ${name}` }).closest('li');
  if (!item) throw new Error(`no row for ${name}`);
  return item;
}

function sizeControls(name: string) {
  const row = within(volume(name));
  return {
    slider: row.getByRole('slider', { name: `Size of ${name}` }) as HTMLInputElement,
    field: row.getByRole('spinbutton', { name: `Size of ${name}` }) as HTMLInputElement,
    unit: row.getByRole('combobox', { name: `Unit of the size of ${name}` }) as HTMLSelectElement,
    reset: row.getByRole('button', { name: `Reset of ${name}` }) as HTMLButtonElement,
    note: row.getByText(/^From|Its|Ferry|Make/),
  };
}

const ROOT = '#2 · Linux filesystem';
const ESP = '#1 · EFI System';
const SWAP = '#3 · Linux swap';

function lastPlannedSpec(api: FakeFerry) {
  const calls = api.callsTo('plan') as { spec: Record<string, unknown> }[];
  return calls.at(-1)?.spec;
}

describe('the Volumes screen', () => {
  it('lists every partition, copied, with the bounds of its size and what resizes it', async () => {
    await renderVolumes();
    const list = screen.getByRole('list', { name: 'Volumes of the source' });
    expect(within(list).getAllByRole('checkbox')).toEqual(
      [ESP, ROOT, SWAP].map((name) => screen.getByRole('checkbox', { name: `Copy ${name}` })),
    );
    expect(
      within(list)
        .getAllByRole('checkbox')
        .every((box) => (box as HTMLInputElement).checked),
    ).toBe(true);
    expect(within(volume(ROOT)).getByText('ext4')).toBeTruthy();
    expect(within(volume(ROOT)).getByText('10.1 MiB used of 40 MiB')).toBeTruthy();
    expect(within(volume(ROOT)).getByText('used blocks only')).toBeTruthy();

    const root = sizeControls(ROOT);
    expect([root.slider.min, root.slider.max, root.slider.value]).toEqual(['14', '40', '40']);
    expect([root.field.min, root.field.max, root.field.value]).toEqual(['14', '40', '40']);
    expect(root.note.textContent).toBe('From 14 MiB to 40 MiB. resize2fs resizes its filesystem.');
    expect(root.reset.disabled).toBe(true);

    // The disk is full: FAT32 cannot shrink below its clusters, swap cannot be resized at all.
    const esp = within(volume(ESP));
    expect(esp.queryByRole('slider')).toBeNull();
    expect(esp.queryByRole('spinbutton')).toBeNull();
    expect(volume(ESP).querySelector('.size-fixed')?.textContent).toBe('Size 16 MiB');
    expect(esp.getByText(/^Its/).textContent).toBe(
      'Its FAT32 filesystem cannot shrink; it grows with the partition. Make the virtual disk larger to give it room to grow.',
    );
    expect(within(volume(SWAP)).getByText(/^Ferry/).textContent).toBe(
      'Ferry cannot resize Linux swap: the partition may only grow, and its filesystem keeps its size of 6 MiB. Make the virtual disk larger to give it room to grow.',
    );
    expect(screen.getByRole('spinbutton', { name: 'Virtual disk size' })).toHaveProperty(
      'value',
      '64',
    );
    expect(
      screen.getByText(
        'At least 64 MiB for these partitions; the source disk is 64 MiB. To grow a partition, make the disk larger first.',
      ),
    ).toBeTruthy();
  });

  it('keeps the slider and the number in step, within the bounds, in whole MiB', async () => {
    const { store, user } = await renderVolumes();
    const root = sizeControls(ROOT);
    fireEvent.change(root.slider, { target: { value: '24' } });
    expect(root.field.value).toBe('24');
    expect(store.getState().layout.resize).toEqual({ 2: 24 * MiB });
    await replanned(store);

    await user.clear(root.field);
    await user.type(root.field, '30.4');
    expect(root.slider.value).toBe('30');
    expect(store.getState().layout.resize).toEqual({ 2: 30 * MiB });

    // Out of bounds: flagged while typed, brought back within them once the field is left.
    await user.clear(root.field);
    await user.type(root.field, '9');
    expect(root.field.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Choose a size from 14 MiB to 40 MiB.')).toBeTruthy();
    expect(root.slider.value).toBe('30');
    await user.tab();
    expect(root.field.value).toBe('14');
    expect(root.slider.value).toBe('14');
    expect(root.field.getAttribute('aria-invalid')).toBeNull();
    expect(store.getState().layout.resize).toEqual({ 2: 14 * MiB });

    await user.clear(root.field);
    await user.type(root.field, '1000{Enter}');
    expect(root.slider.value).toBe('40');
    expect(store.getState().layout.resize).toEqual({});

    await user.selectOptions(root.unit, 'GiB');
    expect(root.field.value).toBe('0.04');
    fireEvent.change(root.slider, { target: { value: '20' } });
    expect(root.field.value).toBe('0.02');
    await user.click(root.reset);
    expect(root.slider.value).toBe('40');
    expect(store.getState().layout.resize).toEqual({});
  });

  it('sends exactly the partitions, sizes and disk size chosen, and converts them', async () => {
    const { store, user, api } = await renderVolumes();
    await user.click(screen.getByRole('checkbox', { name: `Copy ${SWAP}` }));
    expect(within(volume(SWAP)).queryByRole('slider')).toBeNull();
    expect(within(volume(SWAP)).getByText('not copied')).toBeTruthy();
    await replanned(store);
    fireEvent.change(sizeControls(ROOT).slider, { target: { value: '20' } });
    await replanned(store);
    expect(
      screen.getByText('At least 38 MiB for these partitions; the source disk is 64 MiB.'),
    ).toBeTruthy();
    const disk = screen.getByRole('spinbutton', { name: 'Virtual disk size' });
    await user.clear(disk);
    await user.type(disk, '48');
    await user.tab();
    await replanned(store);
    const layout = { partitions: [1, 2], resize: { 2: 20 * MiB }, diskSize: 48 * MiB };
    expect(lastPlannedSpec(api)).toEqual({ ...SPEC, ...layout });

    // Growing the disk gives the root partition room up to its end.
    expect(sizeControls(ROOT).slider.max).toBe('30');
    await user.click(within(volume(ROOT)).getByRole('button', { name: `Reset of ${ROOT}` }));
    await replanned(store);
    expect(lastPlannedSpec(api)).toEqual({ ...SPEC, partitions: [1, 2], diskSize: 48 * MiB });
    await user.click(screen.getByRole('checkbox', { name: `Copy ${SWAP}` }));
    await user.click(screen.getByRole('button', { name: 'Reset the virtual disk size' }));
    await replanned(store);
    expect(lastPlannedSpec(api)).toEqual(SPEC);

    fireEvent.change(sizeControls(ROOT).slider, { target: { value: '16' } });
    await user.click(screen.getByRole('checkbox', { name: `Copy ${ESP}` }));
    await replanned(store);
    await user.click(screen.getByRole('button', { name: 'Next' }));
    store.getState().goTo('summary');
    await act(() => planSettled(store));
    await act(() => store.getState().convert());
    expect(api.callsTo('startJob')).toEqual([
      { spec: { ...SPEC, partitions: [2, 3], resize: { 2: 16 * MiB } } },
    ]);
  });

  it('keeps at least one partition', async () => {
    const { store, user } = await renderVolumes();
    await user.click(screen.getByRole('checkbox', { name: `Copy ${ESP}` }));
    await user.click(screen.getByRole('checkbox', { name: `Copy ${SWAP}` }));
    const root = screen.getByRole('checkbox', { name: `Copy ${ROOT}` });
    expect(root).toHaveProperty('disabled', true);
    expect(root).toHaveProperty('checked', true);
    expect(root.getAttribute('aria-describedby')).toBe(
      screen.getByText('At least one partition must be copied.').id,
    );
    store.getState().setIncluded(2, false);
    expect(store.getState().layout.excluded).toEqual([1, 3]);
  });

  it('shows the live estimate, with the temporary space a resize takes', async () => {
    const { store } = await renderVolumes();
    const estimate = screen.getByRole('region', { name: 'Estimate' });
    expect(facts(estimate)).toEqual({ 'Output size': '11.6 MiB', Time: 'about 1 min' });
    fireEvent.change(sizeControls(ROOT).slider, { target: { value: '20' } });
    expect(within(estimate).getByRole('status').textContent).toBe('Updating…');
    await replanned(store);
    expect(facts(estimate)).toEqual({
      'Output size': '11.6 MiB',
      Time: 'about 1 min',
      'Temporary space': '10.1 MiB',
    });
    expect(within(estimate).getByRole('status').textContent).toBe('');
  });

  it('shows why the engine refuses a layout, and goes on only once it is changed', async () => {
    const api = new FakeFerry({
      plan: ({ spec }) => {
        if (spec.resize?.['2'] === 14 * MiB) {
          throw new Error(
            '/home/ada/images/laptop.img partition 2: partition 2 cannot shrink to 14 MiB: its resize2fs minimum is 14.2 MiB (give it at least 14.2 MiB (--resize 2=15M))',
          );
        }
        return planFor({ ...SPEC, ...spec });
      },
    });
    const { store, user } = await renderVolumes({ api });
    const next = screen.getByRole('button', { name: 'Next' });
    fireEvent.change(sizeControls(ROOT).slider, { target: { value: '14' } });
    await replanned(store);
    const alert = screen.getByRole('alert');
    expect(within(alert).getByText('These choices cannot be converted')).toBeTruthy();
    expect(alert.textContent).toContain('its resize2fs minimum is 14.2 MiB');
    expect(next).toHaveProperty('disabled', true);
    expect(screen.queryByRole('region', { name: 'Estimate' })).toBeNull();
    // The bounds of the last plan made still hold.
    expect(sizeControls(ROOT).slider.min).toBe('14');
    fireEvent.change(sizeControls(ROOT).slider, { target: { value: '15' } });
    await replanned(store);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(next).toHaveProperty('disabled', false);
    await user.click(next);
    expect(store.getState().step).toBe('customize');
  });

  it('names MBR logical partitions and copies unrecognised content whole', async () => {
    const { user, store, api } = await renderVolumes({ source: MBR_IMAGE });
    const unknown = '#6 · Linux';
    expect(within(volume(unknown)).getByText('Not recognised')).toBeTruthy();
    expect(within(volume(unknown)).getByText('whole')).toBeTruthy();
    expect(sizeControls('#1 · NTFS/exFAT/HPFS').note.textContent).toBe(
      'From 6 MiB to 20 MiB. ntfsresize resizes its filesystem.',
    );
    expect(within(volume(unknown)).getByText(/^Ferry/).textContent).toBe(
      'Ferry does not recognise what it holds: the partition may only grow, and its content keeps its size of 13 MiB. Make the virtual disk larger to give it room to grow.',
    );
    await user.click(screen.getByRole('radio', { name: 'Every block' }));
    expect(within(volume('#5 · FAT16')).getByText('whole')).toBeTruthy();
    await replanned(store);
    expect(lastPlannedSpec(api)).toMatchObject({ allBlocks: true });
  });

  it('shows a disk without a partition table as one volume copied as it is', async () => {
    const superfloppy: InspectReport = {
      ...GPT_REPORT,
      table: { type: 'none', id: null, hybrid: false, partitions: [] },
      filesystem: GPT_REPORT.table.partitions[1]!.filesystem,
    };
    const api = new FakeFerry({
      inspect: () => superfloppy,
      plan: ({ spec }): PlanSummary => ({
        ...planFor({ ...SPEC, ...spec }),
        layout: superfloppy,
        volumes: [],
      }),
    });
    const { api: used } = await renderVolumes({ api });
    expect(screen.queryByRole('checkbox')).toBeNull();
    expect(screen.queryByRole('slider')).toBeNull();
    expect(screen.getByText('Whole disk')).toBeTruthy();
    expect(
      screen.getByText('Without a partition table, the disk is copied as it is.'),
    ).toBeTruthy();
    expect(lastPlannedSpec(used)).toEqual(SPEC);
  });

  it('offers no choice for a layout the engine cannot rewrite', async () => {
    const api = new FakeFerry({
      plan: ({ spec }) => ({ ...planFor({ ...SPEC, ...spec }), volumes: [] }),
    });
    await renderVolumes({ api, source: MBR_IMAGE });
    expect(screen.getByText('#5 · FAT16')).toBeTruthy();
    expect(screen.queryByRole('checkbox')).toBeNull();
    expect(screen.queryByRole('spinbutton')).toBeNull();
    expect(
      screen.getByText(
        'Ferry cannot rewrite this disk’s partition table: the disk is copied as it is.',
      ),
    ).toBeTruthy();
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
    act(() => store.getState().chooseTarget('hyperv'));
    await user.click(await screen.findByRole('radio', { name: 'Thick' }));
    expect(store.getState().thick).toBe(true);
  });

  it('reads in French', async () => {
    await renderVolumes({ language: 'fr' });
    expect(screen.getByRole('checkbox', { name: `Copier ${ROOT}` })).toBeTruthy();
    expect(screen.getByRole('slider', { name: `Taille de ${ROOT}` })).toBeTruthy();
    expect(
      screen.getByText('De 14 Mio à 40 Mio. resize2fs redimensionne son système de fichiers.'),
    ).toBeTruthy();
    expect(screen.getByRole('radio', { name: 'Blocs utilisés seulement' })).toHaveProperty(
      'checked',
      true,
    );
    expect(facts(screen.getByRole('region', { name: 'Estimation' }))).toEqual({
      'Taille de la sortie': '11,6 Mio',
      Durée: 'environ 1 min',
    });
  });
});

function facts(section: HTMLElement): Record<string, string> {
  const entries = within(section)
    .getAllByRole('term')
    .map((term) => [term.textContent ?? '', term.nextElementSibling?.textContent ?? '']);
  return Object.fromEntries(entries);
}
