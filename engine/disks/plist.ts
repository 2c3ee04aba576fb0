/**
 * A small, strict parser for XML property lists (what `diskutil -plist` prints). It reads the
 * whole Apple plist vocabulary: dict, array, string, integer, real, true, false, data and date.
 * Anything else, or anything malformed, is a FerryError TOOL_OUTPUT; never a TypeError or a
 * stack overflow.
 *
 * Values: dict -> plain object, array -> array, string -> string, integer -> number (bigint
 * beyond 2^53), real -> number, true/false -> boolean, data -> Buffer, date -> Date.
 */
import { FerryError } from '../../shared/errors.js';

/** Deeper nesting than any real plist; it bounds the recursion on hostile input. */
const MAX_DEPTH = 256;

export function parsePlist(xml: string): unknown {
  return new PlistReader(xml).document();
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

class PlistReader {
  private pos = 0;

  constructor(private readonly xml: string) {}

  document(): unknown {
    if (this.xml.startsWith('\uFEFF')) this.pos = 1;
    this.skipMisc(true);
    const root = this.openTag();
    if (root.name !== 'plist' || root.selfClosing) this.fail('the root element is not <plist>');
    this.skipMisc(false);
    const value = this.value(0);
    this.skipMisc(false);
    this.closeTag('plist');
    this.skipMisc(false);
    if (this.pos !== this.xml.length) this.fail('text after </plist>');
    return value;
  }

  private value(depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
    const tag = this.openTag();
    switch (tag.name) {
      case 'dict':
        return tag.selfClosing ? {} : this.dict(depth);
      case 'array':
        return tag.selfClosing ? [] : this.array(depth);
      case 'true':
      case 'false':
        if (!tag.selfClosing) this.closeTag(tag.name);
        return tag.name === 'true';
      case 'string':
        return tag.selfClosing ? '' : this.textUntilClose('string');
      case 'integer':
        return parseInteger(tag.selfClosing ? '' : this.textUntilClose('integer'), this);
      case 'real':
        return parseReal(tag.selfClosing ? '' : this.textUntilClose('real'), this);
      case 'date':
        return parseDate(tag.selfClosing ? '' : this.textUntilClose('date'), this);
      case 'data':
        return parseData(tag.selfClosing ? '' : this.textUntilClose('data'), this);
      default:
        return this.fail(`unknown element <${tag.name}>`);
    }
  }

  private dict(depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    for (;;) {
      this.skipMisc(false);
      if (this.xml.startsWith('</', this.pos)) {
        this.closeTag('dict');
        return result;
      }
      const tag = this.openTag();
      if (tag.name !== 'key') this.fail(`<${tag.name}> where a <key> was expected in a <dict>`);
      const key = tag.selfClosing ? '' : this.textUntilClose('key');
      if (Object.prototype.hasOwnProperty.call(result, key)) this.fail(`duplicate key "${key}"`);
      this.skipMisc(false);
      if (this.xml.startsWith('</', this.pos)) this.fail(`key "${key}" has no value`);
      // defineProperty, so that a key named "__proto__" is data, not a prototype change.
      Object.defineProperty(result, key, {
        value: this.value(depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }

  private array(depth: number): unknown[] {
    const result: unknown[] = [];
    for (;;) {
      this.skipMisc(false);
      if (this.xml.startsWith('</', this.pos)) {
        this.closeTag('array');
        return result;
      }
      result.push(this.value(depth + 1));
    }
  }

  /** Character data up to `</name>`, with entities and CDATA sections resolved. */
  private textUntilClose(name: string): string {
    let result = '';
    for (;;) {
      const lt = this.xml.indexOf('<', this.pos);
      if (lt < 0) this.fail(`<${name}> is not closed`);
      result += this.resolveEntities(this.xml.slice(this.pos, lt));
      this.pos = lt;
      if (this.xml.startsWith('<![CDATA[', lt)) {
        const end = this.xml.indexOf(']]>', lt + 9);
        if (end < 0) this.fail('unterminated CDATA section');
        result += this.xml.slice(lt + 9, end);
        this.pos = end + 3;
      } else if (this.xml.startsWith('<!--', lt)) {
        this.skipComment();
      } else {
        this.closeTag(name);
        return result;
      }
    }
  }

  private resolveEntities(raw: string): string {
    return raw.replace(/&([^;&\s]*);?/g, (match, name: string) => {
      if (!match.endsWith(';')) this.fail(`bare "&" in text`);
      if (name.startsWith('#')) {
        const code = /^#x[0-9a-f]{1,6}$/i.test(name)
          ? parseInt(name.slice(2), 16)
          : /^#\d{1,7}$/.test(name)
            ? parseInt(name.slice(1), 10)
            : NaN;
        if (!(code >= 0 && code <= 0x10ffff)) this.fail(`bad character reference &${name};`);
        return String.fromCodePoint(code);
      }
      const entity = ENTITIES[name];
      if (entity === undefined) this.fail(`unknown entity &${name};`);
      return entity;
    });
  }

  private openTag(): { name: string; selfClosing: boolean } {
    const match = /^<([A-Za-z][\w.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>/.exec(
      this.xml.slice(this.pos, this.pos + 512),
    );
    if (!match) this.fail('an element was expected');
    this.pos += match[0].length;
    return { name: match[1] ?? '', selfClosing: match[3] === '/' };
  }

  private closeTag(name: string): void {
    const match = /^<\/([A-Za-z][\w.-]*)\s*>/.exec(this.xml.slice(this.pos, this.pos + 256));
    if (!match || match[1] !== name) this.fail(`</${name}> was expected`);
    this.pos += match[0].length;
  }

  /** Whitespace and comments; in the prolog also the XML declaration and the DOCTYPE. */
  private skipMisc(prolog: boolean): void {
    for (;;) {
      const rest = /^\s*/.exec(this.xml.slice(this.pos, this.pos + 4096));
      this.pos += rest?.[0].length ?? 0;
      if (/^\s/.test(this.xml.charAt(this.pos))) continue;
      if (this.xml.startsWith('<!--', this.pos)) {
        this.skipComment();
      } else if (prolog && this.xml.startsWith('<?', this.pos)) {
        const end = this.xml.indexOf('?>', this.pos + 2);
        if (end < 0) this.fail('unterminated <? ?>');
        this.pos = end + 2;
      } else if (prolog && this.xml.startsWith('<!DOCTYPE', this.pos)) {
        const end = this.xml.indexOf('>', this.pos);
        if (end < 0 || this.xml.slice(this.pos, end).includes('[')) {
          this.fail('a DOCTYPE with an internal subset is not a plist');
        }
        this.pos = end + 1;
      } else {
        return;
      }
    }
  }

  private skipComment(): void {
    const end = this.xml.indexOf('-->', this.pos + 4);
    if (end < 0) this.fail('unterminated comment');
    this.pos = end + 3;
  }

  fail(reason: string): never {
    const line = this.xml.slice(0, this.pos).split('\n').length;
    throw new FerryError('TOOL_OUTPUT', `malformed property list: ${reason} (line ${line})`, {
      where: 'plist',
      hint: 'the tool printed something that is not an XML property list',
    });
  }
}

function parseInteger(raw: string, reader: PlistReader): number | bigint {
  const body = raw.trim();
  const match = /^([+-]?)(?:0x([0-9a-f]+)|(\d+))$/i.exec(body);
  if (!match) return reader.fail(`bad integer "${body.slice(0, 40)}"`);
  const magnitude = match[2] !== undefined ? BigInt(`0x${match[2]}`) : BigInt(match[3] ?? '0');
  const value = match[1] === '-' ? -magnitude : magnitude;
  const asNumber = Number(value);
  return Number.isSafeInteger(asNumber) ? asNumber : value;
}

function parseReal(raw: string, reader: PlistReader): number {
  const body = raw.trim().toLowerCase();
  if (body === 'nan') return NaN;
  if (body === '+infinity' || body === 'infinity' || body === 'inf') return Infinity;
  if (body === '-infinity' || body === '-inf') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(body)) {
    return reader.fail(`bad real "${body.slice(0, 40)}"`);
  }
  return Number(body);
}

function parseDate(raw: string, reader: PlistReader): Date {
  const body = raw.trim();
  const date = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(body) ? new Date(body) : null;
  if (!date || Number.isNaN(date.getTime())) return reader.fail(`bad date "${body.slice(0, 40)}"`);
  return date;
}

function parseData(raw: string, reader: PlistReader): Buffer {
  const body = raw.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 === 1) {
    return reader.fail('bad base64 in <data>');
  }
  return Buffer.from(body, 'base64');
}
