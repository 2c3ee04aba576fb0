/**
 * Writing XML text by hand, safely: every string from outside goes through one of these. A
 * small element builder keeps indentation and escaping in one place for .vbox, libvirt and OVF.
 */

const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const ATTRIBUTE_ESCAPES: Record<string, string> = {
  ...TEXT_ESCAPES,
  '"': '&quot;',
  "'": '&apos;',
  // A parser turns literal tabs and line breaks in attributes into spaces; references survive.
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** Escapes character data (element content); \r is kept as a reference so it is not normalised. */
export function xmlText(value: string): string {
  return value.replace(/[&<>\r]/g, (c) => (c === '\r' ? '&#13;' : TEXT_ESCAPES[c]!));
}

/** Escapes a value for a double- or single-quoted attribute. */
export function xmlAttribute(value: string): string {
  return value.replace(/[&<>"'\t\n\r]/g, (c) => ATTRIBUTE_ESCAPES[c]!);
}

const NOT_IN_XML =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text read from a disk (an os-release PRETTY_NAME) with the characters XML 1.0 cannot carry at
 * all, not even as references, replaced: C0 controls other than tab and line breaks, U+FFFE,
 * U+FFFF and unpaired surrogates.
 */
export function xmlSafe(value: string): string {
  return value.replace(NOT_IN_XML, '\ufffd');
}

export type Attributes = Record<string, string | number | boolean | undefined>;

/** An element: a name, attributes (undefined ones are left out) and children or text. */
export interface XmlElement {
  name: string;
  attributes?: Attributes;
  children?: XmlElement[];
  text?: string;
}

export function el(
  name: string,
  attributes: Attributes = {},
  content: XmlElement[] | string = [],
): XmlElement {
  return typeof content === 'string'
    ? { name, attributes, text: content }
    : { name, attributes, children: content };
}

function renderAttributes(attributes: Attributes | undefined): string {
  return Object.entries(attributes ?? {})
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}="${xmlAttribute(String(value))}"`)
    .join('');
}

function render(element: XmlElement, depth: number, lines: string[]): void {
  const indent = '  '.repeat(depth);
  const open = `${indent}<${element.name}${renderAttributes(element.attributes)}`;
  if (element.text !== undefined) {
    lines.push(`${open}>${xmlText(element.text)}</${element.name}>`);
  } else if (!element.children || element.children.length === 0) {
    lines.push(`${open}/>`);
  } else {
    lines.push(`${open}>`);
    for (const child of element.children) render(child, depth + 1, lines);
    lines.push(`${indent}</${element.name}>`);
  }
}

/** The document: an XML declaration, the root element, a final line break. */
export function xmlDocument(
  root: XmlElement,
  declaration = '<?xml version="1.0" encoding="UTF-8"?>',
): string {
  const lines = declaration ? [declaration] : [];
  render(root, 0, lines);
  return `${lines.join('\n')}\n`;
}
