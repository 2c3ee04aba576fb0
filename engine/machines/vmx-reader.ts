/**
 * Reads a .vmx (or any VMware dictionary file) the way VMware does (open-vm-tools
 * lib/dict/dictll.c, DictLL_UnmarshalLine): `name = value` or `name = "value"`, an optional
 * `# comment`, `|XX` escapes undone on the bytes. Lines that are not settings are skipped, as
 * VMware skips them. Keys are case-insensitive in VMware, so they come back lower-cased.
 */

const LINE = /^[ \t]*([^ \t=#"]+)[ \t]*=[ \t]*(?:"([^"]*)"|([^ \t"#]*))[ \t]*(?:#.*)?$/;
const HEX = /^[0-9a-fA-F]{2}$/;

export function parseVmx(text: string): Map<string, string> {
  const settings = new Map<string, string>();
  for (const rawLine of text.split('\n')) {
    const match = LINE.exec(rawLine.replace(/\r$/, ''));
    if (!match) continue;
    const [, name, quoted, bare] = match;
    settings.set(name!.toLowerCase(), unescapeVmxValue(quoted ?? bare ?? ''));
  }
  return settings;
}

/** Undoes `|XX` escapes byte by byte (an escaped UTF-8 sequence spans several), then decodes. */
export function unescapeVmxValue(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  const out = Buffer.alloc(bytes.length);
  let length = 0;
  for (let i = 0; i < bytes.length; i++) {
    const pair = bytes.subarray(i + 1, i + 3).toString('latin1');
    if (bytes[i] === 0x7c && HEX.test(pair)) {
      out[length++] = Number.parseInt(pair, 16);
      i += 2;
    } else {
      out[length++] = bytes[i]!;
    }
  }
  return out.subarray(0, length).toString('utf8');
}
