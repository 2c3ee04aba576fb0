import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeOutput } from './decode.js';

describe('decodeOutput', () => {
  it('reads UTF-16LE with a BOM (wmic redirected)', () => {
    const text = decodeOutput(
      readFileSync('test/data/disks/windows/wmic-win32-logicaldisk-list-ws2008-vmware.txt'),
    );
    expect(text).toContain('Description=Lecteur de disquettes 3 ½ pouces');
    expect(text.charCodeAt(0)).not.toBe(0xfeff);
  });

  it('drops a UTF-8 BOM', () => {
    const text = decodeOutput(
      readFileSync('test/data/disks/windows/wmic-diskdrive-list-csv-usb-cardreader-no-media.csv'),
    );
    expect(text.startsWith('\r\n') || text.startsWith('\n')).toBe(true);
  });

  it('recognises UTF-16LE without a BOM by its zero bytes', () => {
    expect(decodeOutput(Buffer.from('Index=0\r\nSize=512\r\n', 'utf16le'))).toBe(
      'Index=0\r\nSize=512\r\n',
    );
  });

  it('reads everything else as UTF-8', () => {
    expect(decodeOutput(Buffer.from('{"name": "dåta"}'))).toBe('{"name": "dåta"}');
    expect(decodeOutput(new Uint8Array(0))).toBe('');
  });
});
