// @vitest-environment happy-dom
import { cleanup, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobSpec } from '../../shared/api.js';
import { WizardFooter } from '../app/WizardFooter.js';
import { FakeFerry } from '../test-support/fake-ferry.js';
import { MBR_IMAGE, SPEC } from '../test-support/fixtures.js';
import { renderWith, settle } from '../test-support/render.js';
import { planSettled, storeAt } from '../test-support/wizard-at.js';
import type { TargetId } from '../model/targets.js';
import { CustomizeScreen } from './CustomizeScreen.js';

afterEach(cleanup);

const GiB = 2 ** 30;

interface Options {
  api?: FakeFerry;
  source?: string;
  target?: TargetId;
  language?: 'en' | 'fr';
}

/** The Customize screen once the engine has answered, with the footer's buttons. */
async function renderCustomize({ api = new FakeFerry(), source, target, language }: Options = {}) {
  const store = await storeAt('destination', api, {
    planDelayMs: 0,
    ...(source ? { source } : {}),
  });
  if (target) store.getState().chooseTarget(target);
  store.getState().goTo('customize');
  await planSettled(store);
  const rendered = renderWith(
    <>
      <CustomizeScreen />
      <WizardFooter />
    </>,
    { api, store, language: language ?? 'en' },
  );
  return { ...rendered, planned: () => plannedSpecs(api) };
}

function plannedSpecs(api: FakeFerry): JobSpec[] {
  return (api.callsTo('plan') as { spec: JobSpec }[]).map((call) => call.spec);
}

function options(name: string): string[] {
  return within(screen.getByRole('combobox', { name }))
    .getAllByRole('option')
    .map((option) => option.textContent ?? '');
}

function value(role: 'spinbutton' | 'combobox', name: string): string {
  return (screen.getByRole(role, { name }) as HTMLInputElement).value;
}

/** Lets the fake engine answer the plan the last change asked for. */
async function replanned(store: Awaited<ReturnType<typeof renderCustomize>>['store']) {
  await settle();
  await planSettled(store);
  await settle();
}

describe('the Customize screen', () => {
  it('shows the system found and the engine’s defaults for it', async () => {
    await renderCustomize();
    expect(screen.getByText('Debian GNU/Linux 12 (bookworm), x86_64, on partition 2')).toBeTruthy();
    expect(screen.getByText('The settings below start at what suits it.')).toBeTruthy();
    expect((screen.getByRole('textbox', { name: 'Machine name' }) as HTMLInputElement).value).toBe(
      'laptop',
    );
    expect(value('spinbutton', 'Processors')).toBe('2');
    expect(value('spinbutton', 'Memory')).toBe('2');
    expect(value('combobox', 'Unit of the memory')).toBe('GiB');
    expect(screen.getByRole('radio', { name: 'UEFI detected' })).toHaveProperty('checked', true);
    expect(screen.getByRole('radio', { name: 'BIOS' })).toHaveProperty('checked', false);
    expect(
      screen.getByText(
        'UEFI detected (GPT with an EFI System partition holding \\EFI\\BOOT\\BOOTX64.EFI).',
      ),
    ).toBeTruthy();
    expect(value('combobox', 'Disk controller')).toBe('sata');
    expect(options('Disk controller')).toEqual(['IDE', 'SATA (AHCI) (default)', 'SCSI', 'NVMe']);
    expect(value('combobox', 'Network adapter')).toBe('vmxnet3');
    expect(options('Network adapter')).toEqual([
      'Intel E1000',
      'Intel E1000e',
      'VMXNET3 (default)',
    ]);
    expect(screen.getByRole('button', { name: 'Reset to defaults' })).toHaveProperty(
      'disabled',
      true,
    );
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('offers a Windows guest on BIOS the hypervisor’s own controllers and adapters', async () => {
    await renderCustomize({ source: MBR_IMAGE, target: 'hyperv' });
    expect(screen.getByText('Windows 10 Pro, build 19045, x86_64, on partition 1')).toBeTruthy();
    expect(value('spinbutton', 'Memory')).toBe('4');
    expect(screen.getByRole('radio', { name: 'BIOS detected' })).toHaveProperty('checked', true);
    expect(screen.getByText('BIOS detected (MBR disk: BIOS boot).')).toBeTruthy();
    expect(options('Disk controller')).toEqual(['IDE (default)', 'SCSI']);
    expect(options('Network adapter')).toEqual([
      'Network adapter (synthetic) (default)',
      'Legacy network adapter (emulated)',
    ]);
  });

  it('says when no system was recognised', async () => {
    const api = new FakeFerry();
    const store = await storeAt('destination', api, { planDelayMs: 0 });
    await store.getState().chooseDisk('/dev/sda');
    store.getState().goTo('customize');
    await planSettled(store);
    renderWith(<CustomizeScreen />, { api, store });
    expect(screen.getByText('No operating system was recognised on this disk.')).toBeTruthy();
    expect(screen.getByText('The settings below start at what suits most systems.')).toBeTruthy();
    expect(value('spinbutton', 'Processors')).toBe('2');
  });

  it('sends the machine with only the hardware the user changed, until reset', async () => {
    const { user, store, planned } = await renderCustomize({ target: 'libvirt' });
    expect(planned().at(-1)).toMatchObject({ machine: 'libvirt', format: 'qcow2' });
    expect(planned().at(-1)?.hardware).toBeUndefined();
    const cpus = screen.getByRole('spinbutton', { name: 'Processors' });
    await user.clear(cpus);
    await user.type(cpus, '4');
    const memory = screen.getByRole('spinbutton', { name: 'Memory' });
    await user.clear(memory);
    await user.type(memory, '3');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Network adapter' }), 'e1000e');
    await replanned(store);
    expect(planned().at(-1)).toEqual({
      ...SPEC,
      destination: '/home/ada/laptop.qcow2',
      format: 'qcow2',
      machine: 'libvirt',
      hardware: { cpus: 4, memoryBytes: 3 * GiB, nic: 'e1000e' },
    });
    expect(screen.getByText('Virtual CPUs, from 1 to 64. Default: 2.')).toBeTruthy();
    expect(screen.getByText('Default: 2 GiB.')).toBeTruthy();
    expect(options('Network adapter')).toContain('VirtIO (paravirtualized) (default)');
    await user.click(screen.getByRole('button', { name: 'Reset to defaults' }));
    await replanned(store);
    expect(planned().at(-1)?.hardware).toBeUndefined();
    expect(value('spinbutton', 'Processors')).toBe('2');
    expect(value('combobox', 'Network adapter')).toBe('virtio');
  });

  it('flags a processor count out of bounds and sends none', async () => {
    const { user, store } = await renderCustomize();
    const cpus = screen.getByRole('spinbutton', { name: 'Processors' });
    await user.clear(cpus);
    await user.type(cpus, '65');
    expect(cpus.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Choose a whole number from 1 to 64.')).toBeTruthy();
    expect(store.getState().hardware.cpus).toBe(6);
    await user.tab();
    expect((cpus as HTMLInputElement).value).toBe('6');
    expect(cpus.getAttribute('aria-invalid')).toBeNull();
  });

  it('warns that the guest may not boot with the other firmware, and shows what the engine refuses', async () => {
    const { user, store, planned } = await renderCustomize();
    const next = screen.getByRole('button', { name: 'Next' });
    await user.click(screen.getByRole('radio', { name: 'BIOS' }));
    expect(screen.getByText('The guest may not boot')).toBeTruthy();
    expect(
      screen.getByText(
        'This disk boots with UEFI; a BIOS machine may not find its bootloader. Choose BIOS only if the system on the disk can start that way.',
      ),
    ).toBeTruthy();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Disk controller' }), 'nvme');
    await replanned(store);
    expect(planned().at(-1)?.hardware).toEqual({ firmware: 'bios', controller: 'nvme' });
    expect(screen.getByRole('alert').textContent).toContain(
      'VMware boots from NVMe only with UEFI firmware',
    );
    expect(next).toHaveProperty('disabled', true);
    // The fields stay, to be changed back.
    await user.click(screen.getByRole('radio', { name: 'UEFI detected' }));
    await replanned(store);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByText('The guest may not boot')).toBeNull();
    expect(planned().at(-1)?.hardware).toEqual({ controller: 'nvme' });
    expect(next).toHaveProperty('disabled', false);
  });

  it('is worked with the keyboard alone', async () => {
    const { user, store } = await renderCustomize();
    screen.getByRole('textbox', { name: 'Machine name' }).focus();
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('spinbutton', { name: 'Processors' }));
    await user.keyboard('3');
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('spinbutton', { name: 'Memory' }));
    await user.tab();
    expect(document.activeElement).toBe(
      screen.getByRole('combobox', { name: 'Unit of the memory' }),
    );
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('combobox', { name: 'Disk controller' }));
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('combobox', { name: 'Network adapter' }));
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('radio', { name: 'UEFI detected' }));
    await user.keyboard('{ArrowLeft}');
    expect(store.getState().hardware).toEqual({ cpus: 3, firmware: 'bios' });
    expect(screen.getByText('The guest may not boot')).toBeTruthy();
  });

  it('hides the hardware for the disk alone, and leads back to choose a hypervisor', async () => {
    const { user, store, planned } = await renderCustomize({ target: 'disk' });
    expect(planned()).toEqual([]);
    expect(screen.getByText('No virtual machine')).toBeTruthy();
    expect(screen.queryByRole('spinbutton')).toBeNull();
    expect(screen.queryByRole('combobox')).toBeNull();
    expect(screen.queryByRole('radio')).toBeNull();
    expect(screen.getByText('Debian GNU/Linux 12 (bookworm), x86_64, on partition 2')).toBeTruthy();
    const name = screen.getByRole('textbox', { name: 'Name of the output' });
    await user.clear(name);
    await user.type(name, 'build-server');
    expect(store.getState().name).toBe('build-server');
    expect(screen.getByText('.vmdk')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Choose a hypervisor' }));
    expect(store.getState().step).toBe('destination');
  });

  it('says it is working out the machine until the engine answers', async () => {
    const api = new FakeFerry({ plan: () => new Promise(() => undefined) });
    const store = await storeAt('destination', api);
    store.getState().goTo('customize');
    renderWith(<CustomizeScreen />, { api, store });
    expect(screen.getByRole('status').textContent).toBe('Working out the machine for this disk…');
    expect(screen.queryByRole('spinbutton')).toBeNull();
  });

  it('reads in French', async () => {
    await renderCustomize({ language: 'fr' });
    expect(screen.getByRole('heading', { level: 2, name: 'Personnalisation' })).toBeTruthy();
    expect(
      screen.getByText('Debian GNU/Linux 12 (bookworm), x86_64, sur la partition 2'),
    ).toBeTruthy();
    expect(screen.getByRole('textbox', { name: 'Nom de la machine' })).toBeTruthy();
    expect(screen.getByRole('spinbutton', { name: 'Processeurs' })).toBeTruthy();
    expect(screen.getByRole('spinbutton', { name: 'Mémoire' })).toBeTruthy();
    expect(screen.getByRole('group', { name: 'Micrologiciel' })).toBeTruthy();
    expect(screen.getByRole('radio', { name: 'UEFI détecté' })).toBeTruthy();
    expect(options('Contrôleur de disque')).toContain('SATA (AHCI) (par défaut)');
    expect(screen.getByRole('combobox', { name: 'Carte réseau' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Rétablir les valeurs par défaut' })).toBeTruthy();
  });
});
