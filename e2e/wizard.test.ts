import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_ROOT, sh } from '../test/fixtures/cache.js';
import { gptDisk } from '../test/fixtures/disks.js';
import { checkFilesystem, filesystemSize } from '../test/fixtures/filesystem-check.js';
import { CHROMIUM, launchChromium, startConsole, type ConsoleSession } from './console-session.js';

/** Screenshots of every screen, kept as test artifacts. */
const SHOTS = join(process.cwd(), 'test-results', 'screens');
const MiB = 2 ** 20;
const VIEWPORT = { width: 1280, height: 860 };

let session: ConsoleSession;
let browser: Browser;
let scratch: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is needed at ${CHROMIUM} (apt-get install chromium)`);
  scratch = await mkdtemp(join(FIXTURE_ROOT, 'wizard-'));
  session = await startConsole();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await session?.stop();
});

/** The whole screen, scrolled part included: the window grows to its height for the shot. */
async function shot(page: Page, theme: string, name: string): Promise<void> {
  await mkdir(join(SHOTS, theme), { recursive: true });
  const overflow = await page
    .locator('.screen, .jobs-view')
    .first()
    .evaluate(
      (scroller: { scrollHeight: number; clientHeight: number }) =>
        scroller.scrollHeight - scroller.clientHeight,
    );
  await page.setViewportSize({ ...VIEWPORT, height: VIEWPORT.height + Math.max(0, overflow) });
  await page.screenshot({ path: join(SHOTS, theme, `${name}.png`) });
  await page.setViewportSize(VIEWPORT);
}

interface Walk {
  page: Page;
  errors: string[];
  close(): Promise<void>;
}

/**
 * Opens the console, reads `source` and sets the destination `folder/walked.qcow2`: for a
 * libvirt machine, or for the disk alone.
 */
async function walkToVolumes(
  theme: 'light' | 'dark',
  source: string,
  folder: string,
  { shots, machine }: { shots: boolean; machine: boolean },
): Promise<Walk> {
  const context = await browser.newContext({ colorScheme: theme, viewport: VIEWPORT });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => void (message.type() === 'error' && errors.push(message.text())));
  const snap = (name: string) => (shots ? shot(page, theme, name) : Promise.resolve());
  await page.goto(session.url);

  await expect
    .poll(() => page.getByRole('heading', { level: 2, name: 'Choose the source' }).count())
    .toBe(1);
  await page.getByText('Looking for disks…').waitFor({ state: 'detached' });
  await snap('1-source-disks');
  await page.getByRole('radio', { name: 'Disk image or virtual disk file' }).click();
  await page.getByRole('textbox', { name: 'Image or virtual disk file' }).fill(source);
  await page.getByRole('textbox', { name: 'Image or virtual disk file' }).press('Enter');
  await page.getByRole('table', { name: 'Partitions' }).waitFor();
  await snap('2-source-image');
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('heading', { level: 2, name: 'Choose the destination' }).waitFor();
  if (machine) {
    await page.getByRole('radio', { name: 'KVM / libvirt' }).click();
  } else {
    await page.getByRole('radio', { name: 'Virtual disk only' }).click();
    await page.getByRole('radio', { name: 'QCOW2' }).click();
  }
  await page.getByRole('textbox', { name: 'Folder' }).fill(folder);
  await page.getByRole('textbox', { name: 'Folder' }).press('Tab');
  await page.getByRole('textbox', { name: machine ? 'Machine name' : 'File name' }).fill('walked');
  await page.getByText(/free; the output should take at most/).waitFor();
  await snap('3-destination');
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('heading', { level: 2, name: 'Volumes' }).waitFor();
  await planned(page);
  return { page, errors, close: () => context.close() };
}

/** Waits for the engine's answer to the latest choices, shown as the estimate. */
async function planned(page: Page): Promise<void> {
  const estimate = page.getByRole('region', { name: 'Estimate' });
  await expect.poll(() => estimate.getAttribute('aria-busy'), { timeout: 20_000 }).toBe('false');
}

/** Waits for the engine's answer to the latest hardware, shown by the Customize screen. */
async function machinePlanned(page: Page): Promise<void> {
  const hardware = page.getByRole('region', { name: 'Hardware' });
  await hardware.waitFor();
  await expect.poll(() => hardware.getAttribute('aria-busy'), { timeout: 20_000 }).toBe('false');
}

/** Converts from the Summary and waits for the job to finish. */
async function convert(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Convert' }).click();
  await page
    .getByRole('heading', { level: 2, name: 'Conversion finished' })
    .waitFor({ timeout: 60_000 });
}

describe.each(['light', 'dark'] as const)(
  'the wizard in %s mode, in Chromium against ferry console',
  (theme) => {
    it('reshapes the disk and writes the libvirt machine around it, as the Summary said', async () => {
      const source = await gptDisk();
      const folder = join(scratch, theme);
      await mkdir(folder);
      const walk = { shots: true, machine: true };
      const { page, errors, close } = await walkToVolumes(theme, source, folder, walk);
      await shot(page, theme, '4-volumes');

      await page.getByRole('checkbox', { name: 'Copy #4 · Linux swap' }).uncheck();
      await planned(page);
      const rootSize = page.getByRole('spinbutton', { name: 'Size of #2 · Linux filesystem' });
      const rootSlider = page.getByRole('slider', { name: 'Size of #2 · Linux filesystem' });
      await rootSize.fill('33');
      await rootSize.press('Tab');
      await rootSlider.focus();
      await rootSlider.press('ArrowLeft');
      expect(await rootSize.inputValue()).toBe('32');
      await planned(page);
      const dataSize = page.getByRole('spinbutton', { name: 'Size of #3 · Microsoft basic data' });
      await dataSize.fill('56');
      await dataSize.press('Enter');
      expect(
        await page.getByRole('slider', { name: 'Size of #3 · Microsoft basic data' }).inputValue(),
      ).toBe('56');
      await planned(page);
      const diskSize = page.getByRole('spinbutton', { name: 'Virtual disk size' });
      await diskSize.fill('180');
      await diskSize.press('Enter');
      await planned(page);
      await shot(page, theme, '4-volumes-changed');
      await page.getByRole('button', { name: 'Next' }).click();

      await page.getByRole('heading', { level: 2, name: 'Customize' }).waitFor();
      await machinePlanned(page);
      await shot(page, theme, '5-customize');
      await page.getByRole('spinbutton', { name: 'Processors' }).fill('3');
      await page.getByRole('combobox', { name: 'Unit of the memory' }).selectOption('MiB');
      const memory = page.getByRole('spinbutton', { name: 'Memory' });
      await memory.fill('1536');
      await memory.press('Tab');
      await machinePlanned(page);
      await shot(page, theme, '5-customize-changed');
      await page.getByRole('button', { name: 'Next' }).click();

      await page.getByRole('heading', { level: 2, name: 'Summary' }).waitFor();
      const machine = page.getByRole('region', { name: 'Virtual machine' });
      await machine.waitFor();
      expect(await machine.getByRole('listitem').allTextContents()).toEqual([
        join(folder, 'walked.xml'),
      ]);
      const changes = page.getByRole('region', { name: 'Layout changes' }).getByRole('listitem');
      await changes.first().waitFor();
      const listed = await changes.allTextContents();
      expect(listed.slice(0, 4)).toEqual([
        '#2 · Linux filesystem: 48 MiB → 32 MiB, its filesystem resized by resize2fs.',
        '#3 · Microsoft basic data: 40 MiB → 56 MiB, its filesystem resized by ntfsresize.',
        '#4 · Linux swap is left out; its space stays free.',
        'Virtual disk: 200 MiB → 180 MiB.',
      ]);
      expect(listed[4]).toMatch(/^[\d.]+ MiB of temporary space beside the destination/);
      await page.getByRole('checkbox', { name: /Verify the copy/ }).check();
      await shot(page, theme, '6-summary');
      await convert(page);
      // The job read the disk back after writing it, and the log says so.
      expect(await page.getByText('Written; reading it back to verify').count()).toBe(1);
      await shot(page, theme, '7-progress-done');
      await page
        .getByRole('navigation', { name: 'Views' })
        .getByRole('button', { name: 'Jobs' })
        .click();
      await shot(page, theme, '8-jobs');
      await close();

      const raw = join(folder, 'walked.raw');
      await sh('qemu-img', [
        'convert',
        '-f',
        'qcow2',
        '-O',
        'raw',
        join(folder, 'walked.qcow2'),
        raw,
      ]);
      const { partitiontable } = JSON.parse(await sh('sfdisk', ['--json', raw])) as {
        partitiontable: {
          label: string;
          partitions: { start: number; size: number; name: string }[];
        };
      };
      const sectors = (mib: number): number => (mib * MiB) / 512;
      expect(partitiontable.label).toBe('gpt');
      expect(
        partitiontable.partitions.map(({ start, size, name }) => ({ start, size, name })),
      ).toEqual([
        { start: sectors(1), size: sectors(72), name: 'EFI' },
        { start: sectors(73), size: sectors(32), name: 'root' },
        { start: sectors(105), size: sectors(56), name: 'data' },
      ]);
      const info = JSON.parse(await sh('qemu-img', ['info', '--output=json', raw])) as {
        'virtual-size': number;
      };
      expect(info['virtual-size']).toBe(180 * MiB);

      // The machine beside the disk, as libvirt's own schema and the choices made say.
      const definition = join(folder, 'walked.xml');
      await sh('virt-xml-validate', [definition, 'domain']);
      const xml = await readFile(definition, 'utf8');
      expect(xml).toContain('<name>walked</name>');
      expect(xml).toContain('<vcpu>3</vcpu>');
      expect(xml).toContain(`<memory unit="KiB">${1536 * 1024}</memory>`);
      expect(xml).toContain(`file="${join(folder, 'walked.qcow2')}"`);

      const root = await partitionFile(raw, 73, 32, join(folder, 'root.img'));
      expect((await checkFilesystem('ext4', root)).ok).toBe(true);
      expect(await filesystemSize('ext4', root)).toBe(32 * MiB);
      const data = await partitionFile(raw, 105, 56, join(folder, 'data.img'));
      const ntfs = await checkFilesystem('ntfs', data);
      expect(ntfs.ok, ntfs.output).toBe(true);
      expect(await filesystemSize('ntfs', data)).toBeGreaterThan(55 * MiB);
      expect(errors, errors.join('\n')).toEqual([]);
    }, 120_000);
  },
);

describe('the wizard with the layout left as it is', () => {
  it('converts a disk image to a qcow2 alone, and qemu-img finds the result identical', async () => {
    const source = await gptDisk();
    const folder = join(scratch, 'unchanged');
    await mkdir(folder);
    const walk = { shots: false, machine: false };
    const { page, errors, close } = await walkToVolumes('light', source, folder, walk);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { level: 2, name: 'Customize' }).waitFor();
    await page.getByText('No virtual machine').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Estimated output size').waitFor();
    expect(await page.getByRole('region', { name: 'Layout changes' }).count()).toBe(0);
    await convert(page);
    await close();

    const output = join(folder, 'walked.qcow2');
    expect(await sh('qemu-img', ['compare', '-f', 'raw', '-F', 'qcow2', source, output])).toMatch(
      /Images are identical/,
    );
    expect(existsSync(join(folder, 'walked.xml'))).toBe(false);
    expect(errors, errors.join('\n')).toEqual([]);
  }, 120_000);
});

/** A partition of a raw disk image as a file of its own, for its filesystem's tools. */
async function partitionFile(raw: string, startMiB: number, sizeMiB: number, file: string) {
  await sh('dd', [
    `if=${raw}`,
    `of=${file}`,
    'bs=1M',
    `skip=${startMiB}`,
    `count=${sizeMiB}`,
    'status=none',
  ]);
  return file;
}
