/**
 * Renders resources/icon.svg to dist/icons/icon.png (1024 x 1024, transparent corners), from which
 * electron-builder makes the Windows .ico, the macOS .icns and the Linux icon sizes. Chromium
 * draws it: Debian's (CHROMIUM_PATH, or /usr/bin/chromium), else the Chrome installed on CI runners.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const SIZE = 1024;
const svg = await readFile(fileURLToPath(new URL('icon.svg', import.meta.url)));
const output = fileURLToPath(new URL('../dist/icons/icon.png', import.meta.url));

const executablePath =
  process.env.CHROMIUM_PATH ??
  ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
const browser = await chromium.launch(executablePath ? { executablePath } : { channel: 'chrome' });
try {
  const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE } });
  const source = `data:image/svg+xml;base64,${svg.toString('base64')}`;
  await page.setContent(
    `<body style="margin:0;background:transparent"><img src="${source}" width="${SIZE}" height="${SIZE}"></body>`,
  );
  await page.locator('img').evaluate((image) => image.decode());
  await mkdir(dirname(output), { recursive: true });
  await page.screenshot({ path: output, omitBackground: true });
  console.log(`wrote ${output}`);
} finally {
  await browser.close();
}
