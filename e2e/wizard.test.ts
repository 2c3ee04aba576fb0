import { existsSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_ROOT, sh } from '../test/fixtures/cache.js';
import { gptDisk } from '../test/fixtures/disks.js';
import { CHROMIUM, launchChromium, startConsole, type ConsoleSession } from './console-session.js';

/** Screenshots of every screen, kept as test artifacts. */
const SHOTS = join(process.cwd(), 'test-results', 'screens');

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

async function shot(page: Page, theme: string, name: string): Promise<void> {
  await mkdir(join(SHOTS, theme), { recursive: true });
  await page.screenshot({ path: join(SHOTS, theme, `${name}.png`), fullPage: true });
}

describe.each(['light', 'dark'] as const)(
  'the wizard in %s mode, in Chromium against ferry console',
  (theme) => {
    it('converts a disk image to qcow2, and qemu-img finds the result identical', async () => {
      const source = await gptDisk();
      const folder = join(scratch, theme);
      await mkdir(folder);
      const context = await browser.newContext({
        colorScheme: theme,
        viewport: { width: 1280, height: 860 },
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on(
        'console',
        (message) => void (message.type() === 'error' && errors.push(message.text())),
      );
      await page.goto(session.url);

      const next = page.getByRole('button', { name: 'Next' });
      await expect
        .poll(() => page.getByRole('heading', { level: 2, name: 'Choose the source' }).count())
        .toBe(1);
      await page.getByText('Looking for disks…').waitFor({ state: 'detached' });
      await shot(page, theme, '1-source-disks');
      await page.getByRole('radio', { name: 'Disk image or virtual disk file' }).click();
      await page.getByRole('textbox', { name: 'Image or virtual disk file' }).fill(source);
      await page.getByRole('textbox', { name: 'Image or virtual disk file' }).press('Enter');
      await page.getByRole('table', { name: 'Partitions' }).waitFor();
      await shot(page, theme, '2-source-image');
      await next.click();

      await page.getByRole('heading', { level: 2, name: 'Choose the destination' }).waitFor();
      await page.getByRole('radio', { name: 'KVM / libvirt / QEMU' }).click();
      await page.getByRole('textbox', { name: 'Folder' }).fill(folder);
      await page.getByRole('textbox', { name: 'Folder' }).press('Tab');
      await page.getByRole('textbox', { name: 'File name' }).fill('walked');
      await page.getByText(/free; the output should take at most/).waitFor();
      await shot(page, theme, '3-destination');
      await next.click();

      await page.getByRole('heading', { level: 2, name: 'Volumes' }).waitFor();
      await shot(page, theme, '4-volumes');
      await next.click();
      await page.getByRole('heading', { level: 2, name: 'Customize' }).waitFor();
      await shot(page, theme, '5-customize');
      await next.click();

      await page.getByRole('heading', { level: 2, name: 'Summary' }).waitFor();
      await page.getByText('Estimated output size').waitFor();
      await shot(page, theme, '6-summary');
      await page.getByRole('button', { name: 'Convert' }).click();

      await page
        .getByRole('heading', { level: 2, name: 'Conversion finished' })
        .waitFor({ timeout: 60_000 });
      await shot(page, theme, '7-progress-done');
      await page
        .getByRole('navigation', { name: 'Views' })
        .getByRole('button', { name: 'Jobs' })
        .click();
      await shot(page, theme, '8-jobs');
      await context.close();

      const output = join(folder, 'walked.qcow2');
      expect(await sh('qemu-img', ['compare', '-f', 'raw', '-F', 'qcow2', source, output])).toMatch(
        /Images are identical/,
      );
      expect(errors, errors.join('\n')).toEqual([]);
    }, 120_000);
  },
);
