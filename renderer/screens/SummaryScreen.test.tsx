// @vitest-environment happy-dom
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { WizardFooter } from '../app/WizardFooter.js';
import { FakeFerry } from '../test-support/fake-ferry.js';
import { MBR_IMAGE, SPEC, planFor } from '../test-support/fixtures.js';
import { renderWith, settle } from '../test-support/render.js';
import { planSettled, storeAt } from '../test-support/wizard-at.js';
import type { WizardStore } from '../store/wizard-store.js';
import { SummaryScreen } from './SummaryScreen.js';

afterEach(cleanup);

const MiB = 2 ** 20;

async function renderSummary(
  api = new FakeFerry(),
  language: 'en' | 'fr' = 'en',
  store?: WizardStore,
) {
  store ??= await storeAt('summary', api);
  return renderWith(
    <>
      <SummaryScreen />
      <WizardFooter />
    </>,
    { api, store, language },
  );
}

function facts(section: HTMLElement): Record<string, string> {
  const entries = within(section)
    .getAllByRole('term')
    .map((term) => [term.textContent ?? '', term.nextElementSibling?.textContent ?? '']);
  return Object.fromEntries(entries);
}

describe('the Summary screen', () => {
  it('shows every choice and the engine’s plan', async () => {
    await renderSummary();
    const choices = screen.getByRole('region', { name: 'Your choices' });
    expect(facts(choices)).toEqual({
      Source: '/home/ada/images/laptop.img',
      'Source disk': '64 MiB · GPT · 3 partitions',
      'System on the disk': 'Debian GNU/Linux 12 (bookworm), x86_64, on partition 2',
      Target: 'VMware Workstation / Player / ESXi',
      Format: 'VMDK, growable',
      Destination: '/home/ada/laptop.vmdk',
      Copy: 'Used blocks only',
      Allocation: 'Thin',
    });
    const plan = screen.getByRole('region', { name: 'Plan' });
    expect(facts(plan)).toEqual({
      'Virtual disk size': '64 MiB',
      'Data to read': '11.5 MiB',
      'Estimated output size': '11.6 MiB',
      'Estimated time': 'about 1 min',
      'Free in the folder': '100 GiB',
    });
    expect(screen.queryByRole('region', { name: 'Layout changes' })).toBeNull();
    expect(
      within(plan)
        .getAllByRole('listitem')
        .map((item) => item.textContent),
    ).toEqual(['/home/ada/laptop.vmdk', '/home/ada/laptop.vmx']);
    expect(screen.getByRole('button', { name: 'Convert' })).toHaveProperty('disabled', false);
  });

  it('lists the machine the engine will write: hypervisor, hardware and files', async () => {
    const api = new FakeFerry();
    const store = await storeAt('customize', api, { planDelayMs: 0 });
    await planSettled(store);
    store.getState().setCpus(4);
    store.getState().setFirmware('bios');
    store.getState().goTo('summary');
    await planSettled(store);
    await renderSummary(api, 'en', store);
    const machine = screen.getByRole('region', { name: 'Virtual machine' });
    expect(facts(machine)).toEqual({
      Hypervisor: 'VMware Workstation / Player / ESXi',
      Name: 'laptop',
      Processors: '4',
      Memory: '2 GiB',
      Firmware: 'BIOS · the disk boots with UEFI',
      'Disk controller': 'SATA (AHCI)',
      'Network adapter': 'VMXNET3',
    });
    expect(within(machine).getByRole('heading', { name: 'Machine definition' })).toBeTruthy();
    expect(
      within(machine)
        .getAllByRole('listitem')
        .map((item) => item.textContent),
    ).toEqual(['/home/ada/laptop.vmx']);
    expect(api.callsTo('plan').at(-1)).toEqual({
      spec: { ...SPEC, hardware: { cpus: 4, firmware: 'bios' } },
    });
  });

  it('shows an OVA as one file, and no machine for the disk alone', async () => {
    const api = new FakeFerry();
    const store = await storeAt('destination', api, { planDelayMs: 0 });
    store.getState().chooseTarget('ovf');
    store.getState().setOva(true);
    store.getState().goTo('summary');
    await planSettled(store);
    const { unmount } = await renderSummary(api, 'en', store);
    expect(facts(screen.getByRole('region', { name: 'Your choices' })).Target).toBe(
      'OVF / OVA package · single .ova file',
    );
    expect(facts(screen.getByRole('region', { name: 'Virtual machine' })).Firmware).toBe(
      'UEFI · detected',
    );
    const plan = screen.getByRole('region', { name: 'Plan' });
    expect(
      within(plan)
        .getAllByRole('listitem')
        .map((item) => item.textContent),
    ).toEqual(['/home/ada/laptop.ova']);
    unmount();
    store.getState().goTo('destination');
    store.getState().chooseTarget('disk');
    store.getState().goTo('summary');
    await planSettled(store);
    await renderSummary(api, 'en', store);
    expect(screen.queryByRole('region', { name: 'Virtual machine' })).toBeNull();
    expect(facts(screen.getByRole('region', { name: 'Your choices' })).Target).toBe(
      'Virtual disk only',
    );
  });

  it('lists existing files and converts only once replacing them is allowed', async () => {
    const api = new FakeFerry({
      plan: ({ spec }) => planFor({ ...SPEC, ...spec }, ['/home/ada/laptop.vmdk']),
    });
    const { user } = await renderSummary(api);
    expect(screen.getByText('These files exist already')).toBeTruthy();
    const convert = screen.getByRole('button', { name: 'Convert' });
    expect(convert).toHaveProperty('disabled', true);
    await user.click(screen.getByRole('checkbox', { name: 'Replace existing files' }));
    expect(convert).toHaveProperty('disabled', false);
    await user.click(convert);
    await settle();
    expect(api.callsTo('startJob')).toEqual([{ spec: { ...SPEC, force: true } }]);
  });

  it('shows the plan’s warnings, and why no plan could be made with a way to retry', async () => {
    let attempts = 0;
    const api = new FakeFerry({
      plan: ({ spec }) => {
        attempts++;
        if (attempts === 1) throw new Error('/home/ada/images/laptop.img: permission denied');
        return { ...planFor({ ...SPEC, ...spec }), warnings: ['the GPT backup header is missing'] };
      },
    });
    const { user } = await renderSummary(api);
    expect(screen.getByRole('alert').textContent).toContain('permission denied');
    expect(screen.getByRole('button', { name: 'Convert' })).toHaveProperty('disabled', true);
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await settle();
    expect(screen.getByText('the GPT backup header is missing')).toBeTruthy();
  });

  it('lists every change of layout: resized, left out, moved, the disk, the scratch space', async () => {
    const api = new FakeFerry();
    const store = await storeAt('volumes', api, { planDelayMs: 0 });
    const s = store.getState();
    s.setVolumeSize(2, 20 * MiB);
    await planSettled(store);
    s.setDiskSize(128 * MiB);
    await planSettled(store);
    s.setVolumeSize(3, 10 * MiB);
    s.setVolumeSize(1, 24 * MiB);
    s.goTo('summary');
    await planSettled(store);
    await renderSummary(api, 'en', store);
    expect(changes()).toEqual([
      '#1 · EFI System: 16 MiB → 24 MiB, its filesystem resized by Ferry.',
      '#2 · Linux filesystem: 40 MiB → 20 MiB, its filesystem resized by resize2fs.',
      '#3 · Linux swap: 6 MiB → 10 MiB; its filesystem keeps its size of 6 MiB.',
      'Virtual disk: 64 MiB → 128 MiB.',
      '10.4 MiB of temporary space beside the destination while filesystems are resized, freed at the end.',
    ]);
    store.getState().goTo('volumes');
    await planSettled(store);
    store.getState().resetVolumeSize(1);
    store.getState().resetVolumeSize(3);
    store.getState().setIncluded(1, false);
    store.getState().goTo('summary');
    await planSettled(store);
    await settle();
    expect(changes()).toEqual([
      '#1 · EFI System is left out; its space stays free.',
      '#2 · Linux filesystem: 40 MiB → 20 MiB, its filesystem resized by resize2fs.',
      '#3 · Linux swap moves: it starts at 37 MiB instead of 57 MiB.',
      'Virtual disk: 64 MiB → 128 MiB.',
      '10.1 MiB of temporary space beside the destination while filesystems are resized, freed at the end.',
    ]);
  });

  it('tells when a logical partition takes another number', async () => {
    const api = new FakeFerry();
    const store = await storeAt('volumes', api, { planDelayMs: 0, source: MBR_IMAGE });
    store.getState().setIncluded(5, false);
    store.getState().goTo('summary');
    await planSettled(store);
    await renderSummary(api, 'fr', store);
    expect(changes('Changements de disposition')).toEqual([
      '#5 · FAT16 n’est pas copiée ; son espace reste libre.',
      '#6 · Linux devient #5.',
    ]);
  });

  it('counts the scratch space of resized filesystems against the free space', async () => {
    const api = new FakeFerry({
      plan: ({ spec }) => ({
        ...planFor({ ...SPEC, ...spec }),
        estimatedOutputBytes: 60 * 2 ** 30,
        temporaryBytes: 50 * 2 ** 30,
      }),
    });
    await renderSummary(api);
    expect(screen.getByText('The folder may be too small')).toBeTruthy();
    expect(screen.getByText(/and the output may take up to 110 GiB/)).toBeTruthy();
  });

  it('reads in French', async () => {
    await renderSummary(new FakeFerry(), 'fr');
    const plan = screen.getByRole('region', { name: 'Plan' });
    expect(facts(plan)['Données à lire']).toBe('11,5 Mio');
    const machine = screen.getByRole('region', { name: 'Machine virtuelle' });
    expect(facts(machine)).toMatchObject({
      Hyperviseur: 'VMware Workstation / Player / ESXi',
      Mémoire: '2 Gio',
      Micrologiciel: 'UEFI · détecté',
    });
    expect(screen.getByRole('button', { name: 'Convertir' })).toBeTruthy();
  });
});

function changes(title = 'Layout changes'): string[] {
  const section = screen.getByRole('region', { name: title });
  return within(section)
    .getAllByRole('listitem')
    .map((item) => item.textContent ?? '');
}
