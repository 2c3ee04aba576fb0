/**
 * Runs with administrator rights, started by the prompt of elevation.ts: connects back to the
 * main process, proves itself with the token, then starts the engine host and joins the host's
 * stdio to the connection. When the connection ends, the host's input ends and it exits.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';
import { FerryError } from '../shared/errors.js';

export interface BridgeOptions {
  /** The endpoint of elevated-endpoint.ts. */
  connect: string;
  tokenFile: string;
  hostScript: string;
  /** The binary that runs the host as Node: the Electron binary running this bridge. */
  execPath: string;
}

export function parseBridgeArgs(argv: string[]): Omit<BridgeOptions, 'execPath'> {
  const { values } = parseArgs({
    args: argv,
    options: {
      connect: { type: 'string' },
      'token-file': { type: 'string' },
      host: { type: 'string' },
    },
    strict: true,
  });
  if (!values.connect || !values['token-file'] || !values.host) {
    throw new FerryError('USAGE', 'the bridge needs --connect, --token-file and --host', {
      where: 'elevated bridge',
      hint: 'it is started by Ferry itself, not by hand',
    });
  }
  return { connect: values.connect, tokenFile: values['token-file'], hostScript: values.host };
}

/** Resolves with the host's exit status once it has exited. */
export async function runBridge(options: BridgeOptions): Promise<number> {
  const token = (await readFile(options.tokenFile, 'utf8')).trim();
  const socket = connect(options.connect);
  await once(socket, 'connect');
  socket.write(`${token}\n`);

  const host = spawn(options.execPath, [options.hostScript], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: ['pipe', 'pipe', 'inherit'],
    windowsHide: true,
  });
  const exited = once(host, 'close');
  socket.pipe(host.stdin);
  host.stdout.pipe(socket);
  // A reset connection does not end the pipe; end the host's input so it exits all the same.
  socket.on('error', () => host.stdin.end());
  host.stdin.on('error', () => undefined);
  try {
    const [code] = (await exited) as [number | null];
    return code ?? 1;
  } finally {
    socket.end();
  }
}
