import { describe, expect, it } from 'vitest';
import { escapeVmxValue } from './vmx.js';
import { parseVmx, unescapeVmxValue } from './vmx-reader.js';

describe('escapeVmxValue', () => {
  it('escapes what VMware escapes and nothing else', () => {
    expect(escapeVmxValue('a"b|c')).toBe('a|22b|7Cc');
    expect(escapeVmxValue('line\nbreak\r\0\u007f')).toBe('line|0Abreak|0D|00|7F');
    expect(escapeVmxValue("tab\tkept, #, = and ' kept")).toBe("tab\tkept, #, = and ' kept");
    expect(escapeVmxValue('日本 é')).toBe('日本 é');
  });

  it('round-trips every character through VMware’s unescaping', () => {
    const all = Array.from({ length: 0x250 }, (_, code) => String.fromCharCode(code)).join('');
    expect(unescapeVmxValue(escapeVmxValue(all))).toBe(all);
    expect(escapeVmxValue(all)).not.toMatch(/["\n\r]/);
  });
});

describe('parseVmx', () => {
  it('reads settings as VMware does and skips lines that are not settings', () => {
    const text = [
      '.encoding = "UTF-8"',
      '# a comment',
      'displayName = "a |22quoted|22 |7C name" # trailing comment',
      'MemSize = 1024',
      'not a setting',
      'broken = "unterminated',
      'escaped = "|C3|A9t|C3|A9"',
      'empty =',
      '  spaced\t=\t"value"  ',
      'crlf = "yes"\r',
    ].join('\n');
    const settings = parseVmx(text);
    expect(settings.get('displayname')).toBe('a "quoted" | name');
    expect(settings.get('memsize')).toBe('1024');
    expect(settings.get('escaped')).toBe('été');
    expect(settings.get('empty')).toBe('');
    expect(settings.get('spaced')).toBe('value');
    expect(settings.get('crlf')).toBe('yes');
    expect(settings.has('broken')).toBe(false);
    expect(settings.size).toBe(7);
  });

  it('takes hostile input without throwing', () => {
    const noise = Array.from({ length: 2000 }, (_, i) =>
      String.fromCharCode((i * 7919) % 0x3000),
    ).join('');
    expect(() => parseVmx(noise + '\n|||| = "|"\n= "x"\n"a" = "b"')).not.toThrow();
    expect(unescapeVmxValue('|')).toBe('|');
    expect(unescapeVmxValue('|4')).toBe('|4');
    expect(unescapeVmxValue('|zz|41')).toBe('|zzA');
  });
});
