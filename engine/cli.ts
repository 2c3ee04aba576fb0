import { FerryError } from '../shared/errors.js';
import { CONSOLE_HELP, CONVERT_HELP, DISKS_HELP, INSPECT_HELP, VERIFY_HELP } from './cli/help.js';
import { processTerminal, type Terminal } from './cli/terminal.js';

/**
 * `ferry`: the command line of DESIGN.md. Exit status: 0 done, 1 the operation failed, 2 bad
 * usage or bad input, 130 cancelled. A failure is one line on stderr; a stack trace only with
 * FERRY_DEBUG=1.
 */
type Command = (argv: readonly string[], terminal: Terminal) => Promise<number>;

// Each command is loaded when it runs: the console's server and the converter's formats cost
// start-up time that `ferry disks` should not pay.
const COMMANDS: Record<string, () => Promise<Command>> = {
  disks: async () => (await import('./cli/disks-command.js')).disksCommand,
  inspect: async () => (await import('./cli/inspect-command.js')).inspectCommand,
  convert: async () => (await import('./cli/convert-command.js')).convertCommand,
  verify: async () => (await import('./cli/verify-command.js')).verifyCommand,
  console: async () => (await import('./cli/console-command.js')).consoleCommand,
};

const HELP = `usage: ferry <command> [options]

Commands:
  disks             list this machine's physical disks
  inspect <source>  show the partitions and filesystems of a disk or disk image
  convert <source> <dest>
                    copy a disk or disk image into a virtual disk
  verify <source> <image>
                    check that a virtual disk holds what was copied from <source>
  console           serve the app to a web browser on this machine

Run "ferry <command> --help" for a command's options.

${DISKS_HELP}

${INSPECT_HELP}

${CONVERT_HELP}

${VERIFY_HELP}

${CONSOLE_HELP}`;

const EXIT_STATUS = { input: 2, failure: 1, cancelled: 130 } as const;

export async function main(
  argv: readonly string[],
  terminal: Terminal = processTerminal,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    terminal.out(HELP);
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  try {
    if (!load) {
      throw new FerryError('USAGE', `unknown command "${name}"`, {
        where: 'ferry',
        hint: 'see ferry --help',
      });
    }
    const command = await load();
    return await command(rest, terminal);
  } catch (error) {
    return reportFailure(error, terminal, rest.includes('--json'));
  }
}

function reportFailure(error: unknown, terminal: Terminal, json: boolean): number {
  if (process.env.FERRY_DEBUG === '1' && error instanceof Error)
    terminal.err(error.stack ?? error.message);
  if (error instanceof FerryError) {
    terminal.err(`ferry: ${error.toLine()}`);
    if (json)
      terminal.out(JSON.stringify({ type: 'error', code: error.code, message: error.toLine() }));
    return EXIT_STATUS[error.kind];
  }
  const message = error instanceof Error ? error.message : String(error);
  terminal.err(`ferry: internal error: ${message} (run again with FERRY_DEBUG=1 and report it)`);
  if (json) terminal.out(JSON.stringify({ type: 'error', code: 'INTERNAL', message }));
  return 1;
}
