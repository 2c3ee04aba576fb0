/**
 * os-release(5): the file every current Linux distribution ships to say what it is. It is a list
 * of shell-style assignments; this parser follows systemd's own (parse_env_file_internal in
 * src/basic/env-file.c, as of v254) character by character, so a file reads here as it reads to
 * systemd: single and double quotes, backslash escapes, line continuations, comments starting
 * with # or ;, blank lines. Nothing is ever executed or expanded.
 */

const WHITESPACE = ' \t\n\r';
const NEWLINE = '\n\r';
const COMMENT = '#;';
/** Inside double quotes a backslash escapes only these, as in the shell; before others it stays. */
const ESCAPED_IN_DOUBLE_QUOTES = '"\\`$';

type State =
  | 'preKey'
  | 'key'
  | 'preValue'
  | 'value'
  | 'valueEscape'
  | 'singleQuote'
  | 'doubleQuote'
  | 'doubleQuoteEscape'
  | 'comment'
  | 'commentEscape';

/** Every assignment in the file, in order; a later assignment of a key replaces an earlier one. */
export function parseOsRelease(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  let state: State = 'preKey';
  let key = '';
  let value = '';
  /** Where unquoted trailing whitespace began in `key` / `value`, to be cut at the line's end. */
  let keyWhitespace = -1;
  let valueWhitespace = -1;

  const push = (trimValue: boolean): void => {
    const name = keyWhitespace === -1 ? key : key.slice(0, keyWhitespace);
    fields.set(name, trimValue && valueWhitespace !== -1 ? value.slice(0, valueWhitespace) : value);
    key = '';
    value = '';
  };

  for (const c of text) {
    switch (state) {
      case 'preKey':
        if (COMMENT.includes(c)) state = 'comment';
        else if (!WHITESPACE.includes(c)) {
          state = 'key';
          keyWhitespace = -1;
          key = c;
        }
        break;
      case 'key':
        if (NEWLINE.includes(c)) {
          // A line without "=" assigns nothing.
          state = 'preKey';
          key = '';
        } else if (c === '=') {
          state = 'preValue';
          valueWhitespace = -1;
        } else {
          if (!WHITESPACE.includes(c)) keyWhitespace = -1;
          else if (keyWhitespace === -1) keyWhitespace = key.length;
          key += c;
        }
        break;
      case 'preValue':
        if (NEWLINE.includes(c)) {
          state = 'preKey';
          push(false);
        } else if (c === "'") state = 'singleQuote';
        else if (c === '"') state = 'doubleQuote';
        else if (c === '\\') state = 'valueEscape';
        else if (!WHITESPACE.includes(c)) {
          state = 'value';
          value += c;
        }
        break;
      case 'value':
        if (NEWLINE.includes(c)) {
          state = 'preKey';
          push(true);
        } else if (c === '\\') {
          state = 'valueEscape';
          valueWhitespace = -1;
        } else {
          if (!WHITESPACE.includes(c)) valueWhitespace = -1;
          else if (valueWhitespace === -1) valueWhitespace = value.length;
          value += c;
        }
        break;
      case 'valueEscape':
        // An escaped newline continues the line; any other escaped character is taken as it is.
        state = 'value';
        if (!NEWLINE.includes(c)) value += c;
        break;
      case 'singleQuote':
        if (c === "'") state = 'preValue';
        else value += c;
        break;
      case 'doubleQuote':
        if (c === '"') state = 'preValue';
        else if (c === '\\') state = 'doubleQuoteEscape';
        else value += c;
        break;
      case 'doubleQuoteEscape':
        state = 'doubleQuote';
        if (ESCAPED_IN_DOUBLE_QUOTES.includes(c)) value += c;
        else if (c !== '\n') value += `\\${c}`;
        break;
      case 'comment':
        if (c === '\\') state = 'commentEscape';
        else if (NEWLINE.includes(c)) state = 'preKey';
        break;
      case 'commentEscape':
        // Since systemd v254 a backslash does not carry a comment over to the next line.
        state = NEWLINE.includes(c) ? 'preKey' : 'comment';
        break;
    }
  }
  if (
    state === 'preValue' ||
    state === 'value' ||
    state === 'valueEscape' ||
    state === 'singleQuote' ||
    state === 'doubleQuote' ||
    state === 'doubleQuoteEscape'
  ) {
    push(state === 'value');
  }
  return fields;
}

export interface LinuxRelease {
  /** PRETTY_NAME, else NAME and VERSION, else "Linux" (the default os-release(5) gives). */
  name: string;
  /** ID, else "linux". */
  id: string;
  /** VERSION_ID; rolling releases such as Arch have none. */
  version: string | null;
}

export function describeOsRelease(fields: ReadonlyMap<string, string>): LinuxRelease {
  const present = (key: string): string | null => {
    const value = fields.get(key)?.trim();
    return value === undefined || value === '' ? null : value;
  };
  const named = [present('NAME'), present('VERSION')].filter((part) => part !== null).join(' ');
  return {
    name: present('PRETTY_NAME') ?? (named === '' ? 'Linux' : named),
    id: present('ID') ?? 'linux',
    version: present('VERSION_ID'),
  };
}
