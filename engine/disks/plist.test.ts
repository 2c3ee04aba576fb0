import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sh } from '../../test/fixtures/cache.js';
import { FerryError } from '../../shared/errors.js';
import { parsePlist } from './plist.js';

const MACOS = 'test/data/disks/macos';

/** Python's plistlib is the independent reader: both parsers must see the same values. */
const PLISTLIB = `
import base64, datetime, json, plistlib, sys
def plain(v):
    if isinstance(v, dict): return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list): return [plain(x) for x in v]
    if isinstance(v, bytes): return {'$data': base64.b64encode(v).decode()}
    if isinstance(v, datetime.datetime): return {'$date': v.strftime('%Y-%m-%dT%H:%M:%SZ')}
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 2**53: return {'$big': str(v)}
    return v
result = {}
for path in sys.argv[1:]:
    with open(path, 'rb') as f: result[path] = plain(plistlib.load(f))
print(json.dumps(result))
`;

function plain(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return { $data: value.toString('base64') };
  if (value instanceof Date) return { $date: value.toISOString().replace('.000Z', 'Z') };
  if (typeof value === 'bigint') return { $big: String(value) };
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  }
  return value;
}

/** One python run for all files: each start costs a quarter of a second. */
async function plistlib(paths: string[]): Promise<Record<string, unknown>> {
  return JSON.parse(await sh('python3', ['-c', PLISTLIB, ...paths])) as Record<string, unknown>;
}

/** Every plist value type, with entities, CDATA, comments and a "__proto__" key. */
const EVERY_TYPE = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<!-- a comment before the root value -->
<dict>
  <key>string</key><string>R&amp;D &lt;disk&gt; &#233;&#x263A; <![CDATA[<raw> & text]]></string>
  <key>empty</key><string/>
  <key>integer</key><integer>-42</integer>
  <key>big</key><integer>18446744073709551615</integer>
  <key>real</key><real>3.25e2</real>
  <key>yes</key><true/>
  <key>no</key><false/>
  <key>data</key><data>
    AAEC/w==
  </data>
  <key>date</key><date>2021-03-04T05:06:07Z</date>
  <key>list</key><array><integer>1</integer><array/><dict/></array>
  <key>__proto__</key><string>plain data</string>
</dict>
</plist>
`;

const scratch = mkdtempSync(join(tmpdir(), 'ferry-plist-'));
const TYPES_PATH = join(scratch, 'types.plist');
const FIXTURES = readdirSync(MACOS).map((name) => join(MACOS, name));
let reference: Record<string, unknown> = {};
beforeAll(async () => {
  writeFileSync(TYPES_PATH, EVERY_TYPE);
  reference = await plistlib([...FIXTURES, TYPES_PATH]);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function expectToolOutputError(xml: string, message: RegExp): void {
  let thrown: unknown;
  try {
    parsePlist(xml);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(FerryError);
  expect((thrown as FerryError).code).toBe('TOOL_OUTPUT');
  expect((thrown as FerryError).message).toMatch(message);
}

describe('parsePlist', () => {
  it.each(FIXTURES)('reads %s exactly as plistlib does', (path) => {
    expect(plain(parsePlist(readFileSync(path, 'utf8')))).toEqual(reference[path]);
  });

  it('reads every value type as plistlib does', () => {
    const parsed = parsePlist(EVERY_TYPE) as Record<string, unknown>;
    expect(plain(parsed)).toEqual(reference[TYPES_PATH]);
    expect(parsed['big']).toBe(18446744073709551615n);
    expect(parsed['data']).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.hasOwn(parsed, '__proto__')).toBe(true);
  });

  it.each([
    ['not XML at all', 'Could not find disk', /root element is not <plist>|element was expected/],
    ['no closing tag', '<plist><dict><key>a</key><string>b</string>', /was expected|not closed/],
    [
      'an unknown element',
      '<plist><dict><key>a</key><foo/></dict></plist>',
      /unknown element <foo>/,
    ],
    ['a key without value', '<plist><dict><key>a</key></dict></plist>', /key "a" has no value/],
    ['a value without key', '<plist><dict><string>a</string></dict></plist>', /<key> was expected/],
    [
      'a duplicate key',
      '<plist><dict><key>a</key><true/><key>a</key><false/></dict></plist>',
      /duplicate key/,
    ],
    ['a bad integer', '<plist><integer>12abc</integer></plist>', /bad integer/],
    ['a bad real', '<plist><real>1.2.3</real></plist>', /bad real/],
    ['a bad date', '<plist><date>yesterday</date></plist>', /bad date/],
    ['bad base64', '<plist><data>!!!</data></plist>', /bad base64/],
    ['an unknown entity', '<plist><string>&nbsp;</string></plist>', /unknown entity/],
    ['a bare ampersand', '<plist><string>a & b</string></plist>', /bare "&"/],
    ['text after the end', '<plist><true/></plist><plist/>', /text after <\/plist>/],
    ['mismatched tags', '<plist><array></dict></plist>', /<\/array> was expected/],
    ['an unterminated comment', '<plist><!-- <true/></plist>', /unterminated comment/],
    [
      'an internal DTD subset',
      '<!DOCTYPE plist [<!ENTITY x "y">]><plist><true/></plist>',
      /internal subset/,
    ],
  ])('rejects %s with a FerryError', (_name, xml, message) => {
    expectToolOutputError(xml, message);
  });

  it('rejects hostile nesting without overflowing the stack', () => {
    const depth = 100_000;
    const xml = `<plist>${'<array>'.repeat(depth)}${'</array>'.repeat(depth)}</plist>`;
    expectToolOutputError(xml, /nesting deeper than/);
  });
});
