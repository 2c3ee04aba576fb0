/**
 * The engine host as the main process keeps it: started on demand as the Electron binary in
 * Node mode, restarted with administrator rights when a request that reads a physical disk is
 * refused for lack of them, and started again after it exits. Requests and their answers pass
 * through unchanged.
 */
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import type { ApiError, FerryEvent, RequestName } from '../shared/api.js';
import { FerryError } from '../shared/errors.js';
import { openElevatedEndpoint, type ElevatedEndpoint } from './elevated-endpoint.js';
import { needsElevation, requestSource } from './elevation-policy.js';
import {
  elevatedLaunch,
  launchOutcome,
  type ElevationTarget,
  type LaunchCommand,
} from './elevation.js';
import { HostClient, type Reply } from './host-client.js';

export interface EngineHostOptions {
  /** The Electron binary; ELECTRON_RUN_AS_NODE makes it Node. */
  execPath: string;
  hostScript: string;
  bridgeScript: string;
  platform: NodeJS.Platform;
  /** This process already runs as root / Administrator, and so does the host it starts. */
  elevated: boolean;
  onEvent(event: FerryEvent): void;
  /** The elevation prompt for a target; elevation.ts's unless a test stands in for it. */
  launchCommand?: (target: ElevationTarget) => LaunchCommand;
  /** How long the elevated host may take to connect once the prompt was accepted. */
  connectMs?: number;
  log?: (line: string) => void;
}

type Elevation = { ok: true; client: HostClient } | { ok: false; error: ApiError };

export class EngineHost {
  private current: HostClient | null = null;
  private elevating: Promise<Elevation> | null = null;
  private readonly clients = new Set<HostClient>();
  private readonly log: (line: string) => void;

  constructor(private readonly options: EngineHostOptions) {
    this.log = options.log ?? ((line) => console.error(line));
  }

  /** Starts the host now rather than on the first request, so the first answer comes sooner. */
  start(): void {
    this.host();
  }

  async request(name: RequestName, params: unknown): Promise<Reply> {
    const client = this.host();
    const reply = await client.request(name, params);
    if (reply.kind !== 'error') return reply;
    const rights = { platform: this.options.platform, elevated: client.elevated };
    if (!needsElevation({ name, params, error: reply.error }, rights)) return reply;
    const elevation = await this.elevate(requestSource(name, params) ?? name);
    if (!elevation.ok) return { kind: 'error', id: reply.id, error: elevation.error };
    return elevation.client.request(name, params);
  }

  /** Ends every host's input; each exits once its work is done. */
  close(): void {
    for (const client of this.clients) client.end();
  }

  private host(): HostClient {
    if (this.current?.isOpen) return this.current;
    const child = spawn(this.options.execPath, [this.options.hostScript], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['pipe', 'pipe', 'inherit'],
      windowsHide: true,
    });
    child.on('error', (error) => {
      this.log(`engine host: could not start ${this.options.execPath}: ${error.message}`);
      child.stdout.destroy();
    });
    this.current = this.attach(child.stdout, child.stdin, this.options.elevated);
    return this.current;
  }

  private attach(input: Readable, output: Writable, elevated: boolean): HostClient {
    const client = new HostClient({
      input,
      output,
      elevated,
      onEvent: (event) => this.options.onEvent(event),
      onNoise: (line) => this.log(`engine host: ${line}`),
    });
    this.clients.add(client);
    void client.closed.then(() => this.clients.delete(client));
    return client;
  }

  /** One prompt at a time: requests refused together wait for the same answer. */
  private elevate(where: string): Promise<Elevation> {
    this.elevating ??= this.startElevated(where).finally(() => {
      this.elevating = null;
    });
    return this.elevating;
  }

  private async startElevated(where: string): Promise<Elevation> {
    let endpoint: ElevatedEndpoint | undefined;
    try {
      endpoint = await openElevatedEndpoint({ platform: this.options.platform });
      const target: ElevationTarget = {
        execPath: this.options.execPath,
        bridgeScript: this.options.bridgeScript,
        hostScript: this.options.hostScript,
        endpoint: endpoint.path,
        tokenFile: endpoint.tokenFile,
      };
      const launch = (this.options.launchCommand ?? this.platformLaunch)(target);
      const socket = await this.connectElevated(launch, endpoint, where);
      const client = this.attach(socket, socket, true);
      // The unprivileged host finishes what it was doing; new requests go to the elevated one.
      this.current?.end();
      this.current = client;
      return { ok: true, client };
    } catch (error) {
      const failure = asFerryError(error, where);
      return { ok: false, error: { code: failure.code, message: failure.toLine() } };
    } finally {
      await endpoint?.close();
    }
  }

  private readonly platformLaunch = (target: ElevationTarget): LaunchCommand =>
    elevatedLaunch(this.options.platform, target);

  /** Waits for the bridge to connect, or for the prompt to say why it will not. */
  private connectElevated(
    launch: LaunchCommand,
    endpoint: ElevatedEndpoint,
    where: string,
  ): Promise<Socket> {
    const launcher = spawn(launch.command, launch.args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      windowsHide: true,
    });
    let stderr = '';
    launcher.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4096);
      this.log(`elevation: ${chunk.toString().trimEnd()}`);
    });
    let timer: NodeJS.Timeout | undefined;
    const refused = new Promise<never>((_, reject) => {
      launcher.once('error', (error) =>
        reject(elevationFailed(`${launch.command} could not be started: ${error.message}`, where)),
      );
      launcher.once('close', (code) => {
        // osascript and PowerShell return once the bridge is started; pkexec becomes the bridge.
        if (code === 0) {
          timer = setTimeout(
            () => reject(elevationFailed('the elevated engine did not connect', where)),
            this.options.connectMs ?? 30_000,
          ).unref();
          return;
        }
        if (launchOutcome(this.options.platform, code, stderr) === 'declined') {
          reject(
            new FerryError(
              'PERMISSION_DENIED',
              'Reading a physical disk needs administrator rights; the request was declined',
              {
                where,
                hint: 'choose the disk again and accept the prompt, or run Ferry as administrator',
              },
            ),
          );
        } else {
          const detail =
            stderr.trim().split('\n').at(-1) || `the prompt exited with status ${code}`;
          reject(elevationFailed(detail, where));
        }
      });
    });
    refused.catch(() => undefined);
    return Promise.race([endpoint.connected, refused]).finally(() => clearTimeout(timer));
  }
}

function elevationFailed(detail: string, where: string): FerryError {
  return new FerryError('PERMISSION_DENIED', `could not get administrator rights: ${detail}`, {
    where,
    hint: 'run Ferry as administrator (as root on Linux)',
  });
}

function asFerryError(error: unknown, where: string): FerryError {
  if (error instanceof FerryError) return error;
  return elevationFailed(error instanceof Error ? error.message : String(error), where);
}
