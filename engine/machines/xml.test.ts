import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sh } from '../../test/fixtures/cache.js';
import { el, xmlAttribute, xmlDocument, xmlSafe, xmlText } from './xml.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-xml-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every character XML 1.0 can carry from U+0009 to U+024F, plus a few far ones. */
const ALL = [
  '\t\n\r',
  ...Array.from({ length: 0x250 - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)),
  '日本語 🖥️ \u2028 \ufffd',
].join('');

describe('xml escaping', () => {
  it('lets xmllint read back every character, in text and in attributes', async () => {
    const file = join(dir, 'all.xml');
    await writeFile(file, xmlDocument(el('root', { a: ALL, b: '\'"' }, [el('text', {}, ALL)])));
    await sh('xmllint', ['--noout', file]);
    expect(
      await sh('xmllint', ['--xpath', 'string(/root/@a)', file], { stripFinalNewline: false }),
    ).toBe(`${ALL}\n`);
    expect(
      await sh('xmllint', ['--xpath', 'string(/root/text)', file], { stripFinalNewline: false }),
    ).toBe(`${ALL}\n`);
    expect(await sh('xmllint', ['--xpath', 'string(/root/@b)', file])).toBe('\'"');
  });

  it('escapes markup and keeps everything else', () => {
    expect(xmlText('a<b>&c\r')).toBe('a&lt;b&gt;&amp;c&#13;');
    expect(xmlAttribute(`"'<&>\t\n`)).toBe('&quot;&apos;&lt;&amp;&gt;&#9;&#10;');
    expect(xmlText('é 日本')).toBe('é 日本');
  });

  it('replaces what XML cannot carry at all, so text from a disk stays well-formed', () => {
    expect(xmlSafe('a\u0000b\u001bc\ufffe\ud800d\tok\n')).toBe(
      'a\ufffdb\ufffdc\ufffd\ufffdd\tok\n',
    );
    expect(xmlSafe('🖥️ fine')).toBe('🖥️ fine');
  });

  it('leaves out attributes that are undefined and closes empty elements', () => {
    expect(xmlDocument(el('a', { x: undefined, y: 1, z: false }), '')).toBe(
      '<a y="1" z="false"/>\n',
    );
  });
});
