import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FerryEvent, JobInfo, WireMessage } from '../../shared/api.js';
import { FIXTURE_ROOT, sh } from '../../test/fixtures/cache.js';
import { gptDisk } from '../../test/fixtures/disks.js';
import { createEngine, type Engine } from './dispatch.js';
import { serveStdio } from './stdio-transport.js';

const HOST = fileURLToPath(new URL('../../dist/engine/rpc/host.js', import.meta.url));

let source: string;

beforeAll(async () => {
  source = await gptDisk();
});

/** An engine whose events the test sends by hand. */
function engineWithEvents(): { engine: Engine; send(event: FerryEvent): void } {
  const real = createEngine();
  const listeners = new Set<(event: FerryEvent) => void>();
  return {
    engine: {
      handle: real.handle,
      close: real.close,
      onEvent(listener) {
        listeners.add(listener);
        return () => void listeners.delete(listener);
      },
    },
    send: (event) => listeners.forEach((listener) => listener(event)),
  };
}

describe('serveStdio', () => {
  it('answers NDJSON requests, relays events, logs what it cannot answer and drains before ending', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const logged: string[] = [];
    const { engine, send } = engineWithEvents();
    const server = serveStdio(engine, input, output, (line) => logged.push(line));
    const lines: WireMessage[] = [];
    createInterface({ input: output }).on('line', (line) => lines.push(JSON.parse(line)));

    input.write(
      `${JSON.stringify({ kind: 'request', id: 1, name: 'inspect', params: { source } })}\n`,
    );
    input.write('not json\n\n');
    input.write(`${JSON.stringify({ kind: 'request', id: 2, name: 'inspect', params: {} })}\r\n`);
    send({ type: 'disksChanged' });
    input.end();
    await server.done;
    output.end();
    await once(output, 'end');

    expect(lines).toContainEqual({ kind: 'event', event: { type: 'disksChanged' } });
    const one = lines.find((m) => m.kind === 'result' && m.id === 1);
    expect(one).toMatchObject({ result: { source, table: { type: 'gpt' } } });
    expect(lines.find((m) => m.kind === 'error')).toMatchObject({
      id: 2,
      error: { code: 'USAGE', message: expect.stringMatching(/^request inspect: source: /) },
    });
    expect(logged).toEqual([expect.stringMatching(/^ferry engine: .*not JSON/)]);
  });
});

describe('the engine host (dist/engine/rpc/host.js)', () => {
  it('serves requests over stdin/stdout and exits when stdin closes', async () => {
    const requests = [
      { kind: 'request', id: 1, name: 'listJobs', params: {} },
      { kind: 'request', id: 2, name: 'inspect', params: { source } },
    ];
    const result = await execa('node', [HOST], {
      input: requests.map((r) => JSON.stringify(r)).join('\n'),
      env: { ELECTRON_RUN_AS_NODE: '1' },
      timeout: 30_000,
    });
    const messages = result.stdout.split('\n').map((line) => JSON.parse(line) as WireMessage);
    expect(result.exitCode).toBe(0);
    expect(messages).toContainEqual({ kind: 'result', id: 1, result: [] });
    expect(messages.find((m) => m.kind === 'result' && m.id === 2)).toMatchObject({
      result: { table: { type: 'gpt' } },
    });
  });

  it('runs a job in its worker thread beside the built host, and reports it done', async () => {
    const destination = join(await mkdtemp(join(FIXTURE_ROOT, 'host-')), 'disk.vdi');
    const host = execa('node', [HOST], { timeout: 30_000 });
    const messages: WireMessage[] = [];
    const finished = new Promise<JobInfo>((resolve) =>
      createInterface({ input: host.stdout }).on('line', (line) => {
        const message = JSON.parse(line) as WireMessage;
        messages.push(message);
        if (message.kind === 'event' && message.event.type === 'jobState') {
          const { job } = message.event;
          if (job.state === 'done' || job.state === 'failed') resolve(job);
        }
      }),
    );
    const spec = { source, destination, format: 'vdi' };
    host.stdin.write(
      `${JSON.stringify({ kind: 'request', id: 1, name: 'startJob', params: { spec } })}\n`,
    );
    const job = await finished;
    host.stdin.end();
    expect((await host).exitCode).toBe(0);

    expect(job).toMatchObject({ state: 'done', files: [destination] });
    expect(messages).toContainEqual(expect.objectContaining({ kind: 'result', id: 1 }));
    expect(messages.some((m) => m.kind === 'event' && m.event.type === 'jobProgress')).toBe(true);
    await sh('qemu-img', ['check', '-f', 'vdi', destination]);
  });

  it('stops on SIGTERM with stdin still open', async () => {
    const host = execa('node', [HOST], { timeout: 30_000 });
    host.stdin.write(
      `${JSON.stringify({ kind: 'request', id: 1, name: 'listJobs', params: {} })}\n`,
    );
    const [first] = (await once(host.stdout, 'data')) as [Buffer];
    expect(JSON.parse(first.toString())).toEqual({ kind: 'result', id: 1, result: [] });
    host.kill('SIGTERM');
    expect((await host).exitCode).toBe(0);
  });
});
