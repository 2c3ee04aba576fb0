import { FerryError } from '../../shared/errors.js';
import { isLoopbackHost, startConsoleServer } from '../rpc/console-server.js';
import { createEngine } from '../rpc/dispatch.js';
import { openInBrowser } from '../rpc/open-browser.js';
import { expectPositionals, parseCommandArgs } from './args.js';
import type { Terminal } from './terminal.js';
import { CONSOLE_HELP } from './help.js';

export async function consoleCommand(argv: readonly string[], terminal: Terminal): Promise<number> {
  const { values, positionals } = parseCommandArgs('console', argv, {
    host: { type: 'string' },
    port: { type: 'string' },
    open: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    terminal.out(CONSOLE_HELP);
    return 0;
  }
  expectPositionals('console', positionals, []);
  const host = values.host ?? '127.0.0.1';
  const port = values.port === undefined ? 0 : parsePort(values.port);

  // Listening for Ctrl-C from the start: a signal during start-up must not kill the process.
  const signal = stopSignal();
  try {
    const engine = createEngine();
    const server = await startConsoleServer({ engine, host, port });
    if (!isLoopbackHost(host)) {
      terminal.err(
        `warning: listening on ${host}: anyone who can reach this machine and has the address below can read its disks`,
      );
    }
    terminal.out(`Ferry console: ${server.url}`);
    terminal.err('Open that address in a browser; the token in it is the password. Ctrl-C stops.');
    if (values.open)
      openInBrowser(server.url, (message) =>
        terminal.err(`warning: could not open a browser (${message}); open the address yourself`),
      );

    await signal.received;
    terminal.err('Stopping: cancelling running jobs');
    await server.close();
    await engine.close();
    return 0;
  } finally {
    signal.dispose();
  }
}

/** SIGINT or SIGTERM, whichever comes first. */
function stopSignal(): { received: Promise<void>; dispose(): void } {
  let stop = (): void => {};
  const received = new Promise<void>((resolve) => (stop = resolve));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    received,
    dispose() {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new FerryError('USAGE', `"${text}" is not a port number`, {
      where: '--port',
      hint: 'give a number from 1 to 65535, or 0 for any free port',
    });
  }
  return port;
}
