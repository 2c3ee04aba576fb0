import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { contentType, rendererFile, rendererResponse } from './renderer-protocol.js';
import { CONTENT_SECURITY_POLICY } from './web-security.js';

let root: string;

beforeAll(async () => {
  const base = await mkdtemp(join(tmpdir(), 'ferry-renderer-'));
  root = join(base, 'renderer');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html><title>Ferry</title>');
  await writeFile(join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  await writeFile(join(base, 'secret.txt'), 'outside the renderer');
});

describe('rendererFile', () => {
  it('maps app URLs into the renderer folder', () => {
    expect(rendererFile(root, 'ferry://app/index.html')).toBe(join(root, 'index.html'));
    expect(rendererFile(root, 'ferry://app/')).toBe(join(root, 'index.html'));
    expect(rendererFile(root, 'ferry://app/assets/index-abc.js?v=1#x')).toBe(
      join(root, 'assets', 'index-abc.js'),
    );
  });

  it.each([
    'ferry://app/../secret.txt',
    'ferry://app/%2e%2e/secret.txt',
    'ferry://app/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    'ferry://app/..%5csecret.txt',
    'ferry://app/%00index.html',
    'ferry://app/%E0%A4%A',
    'ferry://other/index.html',
    'file:///etc/passwd',
    'nonsense',
  ])('never leaves the renderer folder for %s', async (url) => {
    const file = rendererFile(root, url);
    expect(file === null || file.startsWith(join(root, '/'))).toBe(true);
    expect(await (await rendererResponse(root, url)).text()).not.toContain('outside');
  });
});

describe('rendererResponse', () => {
  it('serves files with their type and the CSP', async () => {
    const page = await rendererResponse(root, 'ferry://app/index.html');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await page.text()).toContain('<title>Ferry</title>');
    // Module scripts are refused by Chromium unless served as JavaScript.
    const script = await rendererResponse(root, 'ferry://app/assets/index-abc.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('answers 404, still with the CSP, for anything missing or outside', async () => {
    for (const url of ['ferry://app/missing.js', 'ferry://app/%2e%2e/secret.txt']) {
      const response = await rendererResponse(root, url);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    }
  });
});

it('knows the types Vite emits', () => {
  expect(contentType('a.css')).toBe('text/css; charset=utf-8');
  expect(contentType('a.SVG')).toBe('image/svg+xml');
  expect(contentType('a.woff2')).toBe('font/woff2');
  expect(contentType('a.unknown')).toBe('application/octet-stream');
});
