import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FerryEvent } from '../shared/api.js';
import { bridgeBuild } from './build.mjs';
import { bridgeArgs, type ElevationTarget, type LaunchCommand } from './elevation.js';
import { EngineHost, type EngineHostOptions } from './engine-host.js';
import type { Reply } from './host-client.js';
import { writeFakeHost } from './test-support/fake-host.js';

let plainHost: string;
let elevatedHost: string;
let bridgeScript: string;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-engine-host-'));
  plainHost = await writeFakeHost(dir, 'plain');
  elevatedHost = await writeFakeHost(dir, 'elevated');
  // The bridge as it ships, bundled the way build.mjs bundles it.
  bridgeScript = join(dir, 'elevated-bridge.mjs');
  await build({ ...bridgeBuild, outfile: bridgeScript, sourcemap: false });
});

/**
 * Stands in for pkexec when the user says yes: runs the real bridge, unprivileged, with the
 * elevated fake host in place of the real one.
 */
const acceptedPrompt = (target: ElevationTarget): LaunchCommand => ({
  command: process.execPath,
  args: bridgeArgs({ ...target, bridgeScript, hostScript: elevatedHost }),
});

const promptExiting =
  (code: number, stderr = ''): (() => LaunchCommand) =>
  () => ({
    command: process.execPath,
    args: ['-e', `process.stderr.write(${JSON.stringify(stderr)}); process.exit(${code})`],
  });

function engineHost(overrides: Partial<EngineHostOptions> = {}) {
  const events: FerryEvent[] = [];
  const logs: string[] = [];
  const host = new EngineHost({
    execPath: process.execPath,
    hostScript: plainHost,
    bridgeScript,
    platform: 'linux',
    elevated: false,
    onEvent: (event) => events.push(event),
    launchCommand: acceptedPrompt,
    log: (line) => logs.push(line),
    ...overrides,
  });
  return { host, events, logs };
}

const resultOf = (reply: Reply): unknown => (reply.kind === 'result' ? reply.result : reply.error);

describe('EngineHost', () => {
  it('starts the host as Node and passes requests, answers and events through', async () => {
    const { host, events } = engineHost();
    try {
      const reply = await host.request('listDisks', {});
      expect(resultOf(reply)).toEqual({
        label: 'plain',
        name: 'listDisks',
        params: {},
        runAsNode: '1',
      });
      expect(events).toContainEqual({ type: 'disksChanged' });
    } finally {
      host.close();
    }
  });

  it('restarts the host elevated when a disk is refused, then stays elevated', async () => {
    const { host } = engineHost();
    try {
      const reply = await host.request('inspect', { source: '/dev/sda' });
      expect(resultOf(reply)).toMatchObject({ label: 'elevated', params: { source: '/dev/sda' } });
      const next = await host.request('listDisks', {});
      expect(resultOf(next)).toMatchObject({ label: 'elevated' });
    } finally {
      host.close();
    }
  });

  it('asks once for requests refused together', async () => {
    let prompts = 0;
    const { host } = engineHost({
      launchCommand: (target) => {
        prompts++;
        return acceptedPrompt(target);
      },
    });
    try {
      const replies = await Promise.all([
        host.request('inspect', { source: '/dev/sda' }),
        host.request('inspect', { source: '/dev/sdb' }),
      ]);
      expect(replies.map(resultOf)).toMatchObject([{ label: 'elevated' }, { label: 'elevated' }]);
      expect(prompts).toBe(1);
    } finally {
      host.close();
    }
  });

  it('says clearly that the prompt was declined', async () => {
    const { host } = engineHost({ launchCommand: promptExiting(126) });
    try {
      const reply = await host.request('inspect', { source: '/dev/sda' });
      expect(reply.kind).toBe('error');
      expect(resultOf(reply)).toEqual({
        code: 'PERMISSION_DENIED',
        message: expect.stringContaining(
          '/dev/sda: Reading a physical disk needs administrator rights; the request was declined',
        ),
      });
      // Still usable unprivileged.
      expect(resultOf(await host.request('listDisks', {}))).toMatchObject({ label: 'plain' });
    } finally {
      host.close();
    }
  });

  it("reports a prompt that failed with the launcher's own words", async () => {
    const { host } = engineHost({
      launchCommand: promptExiting(
        127,
        'Error executing command as another user: Not authorized\n',
      ),
    });
    try {
      const reply = await host.request('startJob', {
        spec: { source: '/dev/sda', destination: '/tmp/a.vmdk', format: 'vmdk' },
      });
      expect(resultOf(reply)).toMatchObject({
        code: 'PERMISSION_DENIED',
        message: expect.stringContaining(
          'could not get administrator rights: Error executing command as another user: Not authorized',
        ),
      });
    } finally {
      host.close();
    }
  });

  it('reports a launcher that is not installed', async () => {
    const { host } = engineHost({
      launchCommand: () => ({ command: '/nonexistent/pkexec', args: [] }),
    });
    try {
      const reply = await host.request('inspect', { source: '/dev/sda' });
      expect(resultOf(reply)).toMatchObject({
        code: 'PERMISSION_DENIED',
        message: expect.stringContaining('/nonexistent/pkexec could not be started'),
      });
    } finally {
      host.close();
    }
  });

  it('does not ask for images, nor when it already runs as root', async () => {
    let prompts = 0;
    const counting = () => {
      prompts++;
      return promptExiting(126)();
    };
    const image = engineHost({ launchCommand: counting });
    const root = engineHost({ launchCommand: counting, elevated: true });
    try {
      const refused = await image.host.request('inspect', { source: '/home/ann/unreadable.img' });
      expect(resultOf(refused)).toEqual({
        code: 'PERMISSION_DENIED',
        message: '/home/ann/unreadable.img: permission denied',
      });
      const asRoot = await root.host.request('inspect', { source: '/dev/sda' });
      expect(resultOf(asRoot)).toEqual({
        code: 'PERMISSION_DENIED',
        message: '/dev/sda: permission denied',
      });
      expect(prompts).toBe(0);
    } finally {
      image.host.close();
      root.host.close();
    }
  });

  it('answers a request lost with a dead host, and starts a new host for the next', async () => {
    const { host } = engineHost();
    try {
      const lost = await host.request('jobLog', { id: 'x' });
      expect(resultOf(lost)).toMatchObject({ code: 'IO' });
      expect(resultOf(await host.request('listDisks', {}))).toMatchObject({ label: 'plain' });
    } finally {
      host.close();
    }
  });
});
