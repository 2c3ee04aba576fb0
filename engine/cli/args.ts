import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FerryError } from '../../shared/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * util.parseArgs with its errors turned into usage errors (exit status 2) that name the
 * command and point at its help.
 */
export function parseCommandArgs<T extends Options>(
  command: string,
  argv: readonly string[],
  options: T,
) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new FerryError('USAGE', message ?? 'invalid arguments', {
      where: `ferry ${command}`,
      hint: `see ferry ${command} --help`,
    });
  }
}

export function expectPositionals(
  command: string,
  positionals: readonly string[],
  names: readonly string[],
): string[] {
  if (positionals.length !== names.length) {
    const wanted = names.map((n) => `<${n}>`).join(' ');
    throw new FerryError('USAGE', `expected ${wanted}, got ${positionals.length} argument(s)`, {
      where: `ferry ${command}`,
      hint: `usage: ferry ${command} ${wanted}`,
    });
  }
  return [...positionals];
}
