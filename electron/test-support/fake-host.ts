/**
 * A stand-in for dist/engine/rpc/host.js that speaks the same NDJSON: it announces itself with
 * an event, answers with what it was asked, refuses to read a device (or a file named
 * "unreadable…") unless it is the elevated one, and dies on `jobLog`, so that tests can drive
 * every path of the shell without the engine.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function writeFakeHost(dir: string, label: 'plain' | 'elevated'): Promise<string> {
  const path = join(dir, `fake-host-${label}.mjs`);
  await writeFile(
    path,
    `import { createInterface } from 'node:readline';
const label = ${JSON.stringify(label)};
const send = (message) => process.stdout.write(JSON.stringify(message) + '\\n');
send({ kind: 'event', event: { type: 'disksChanged' } });
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const { id, name, params } = JSON.parse(line);
  if (name === 'jobLog') process.exit(3);
  const source = params?.source ?? params?.spec?.source ?? '';
  if ((source.startsWith('/dev/') || source.includes('unreadable')) && label !== 'elevated') {
    return send({ kind: 'error', id, error: { code: 'PERMISSION_DENIED', message: source + ': permission denied' } });
  }
  send({ kind: 'result', id, result: { label, name, params, runAsNode: process.env.ELECTRON_RUN_AS_NODE ?? null } });
});
lines.on('close', () => process.exit(0));
`,
  );
  return path;
}
