import { describe, expect, it } from 'vitest';
import {
  CONTENT_SECURITY_POLICY,
  externalUrl,
  isRendererUrl,
  navigationAllowed,
  RENDERER_INDEX,
} from './web-security.js';

describe('CONTENT_SECURITY_POLICY', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split('; ').map((directive) => {
      const [name, ...sources] = directive.split(' ');
      return [name, sources];
    }),
  );

  it('allows scripts, styles and connections from the app only', () => {
    expect(directives.get('default-src')).toEqual(["'self'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
  });

  it('never allows inline or evaluated code', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|\*|https?:/);
  });
});

describe('navigation', () => {
  it('allows only the same page of the app', () => {
    expect(isRendererUrl(RENDERER_INDEX)).toBe(true);
    expect(navigationAllowed(`${RENDERER_INDEX}#/summary`, RENDERER_INDEX)).toBe(true);
    expect(navigationAllowed('ferry://app/other.html', RENDERER_INDEX)).toBe(false);
    expect(navigationAllowed('ferry://elsewhere/index.html', RENDERER_INDEX)).toBe(false);
    expect(navigationAllowed('https://example.com/', RENDERER_INDEX)).toBe(false);
    expect(navigationAllowed('file:///etc/passwd', RENDERER_INDEX)).toBe(false);
    expect(navigationAllowed('not a url', RENDERER_INDEX)).toBe(false);
  });
});

describe('externalUrl', () => {
  it('lets web links go to the browser and nothing else', () => {
    expect(externalUrl('https://example.com/help')).toBe('https://example.com/help');
    expect(externalUrl('http://example.com')).toBe('http://example.com/');
    expect(externalUrl('file:///C:/Windows/System32/calc.exe')).toBeNull();
    expect(externalUrl('javascript:alert(1)')).toBeNull();
    expect(externalUrl('smb://server/share')).toBeNull();
    expect(externalUrl('ferry://app/index.html')).toBeNull();
    expect(externalUrl('')).toBeNull();
  });
});
