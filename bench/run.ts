/**
 * `npm run bench`: Ferry against `qemu-img convert` on the same inputs, in one run, so the
 * ratios hold on a shared, noisy machine. Each case runs both tools in turn, REPEAT times (who
 * goes first alternates), and keeps each tool's fastest run. Both tools' times include flushing
 * their output; `sync` before each run keeps one run's dirty pages from slowing the next.
 * Budgets are the ones of the formats issue.
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { BENCH_DIR, dirtyExt4Disk, fullDisk } from './inputs.js';
import { measure, removeAll, sizeOnDisk, type Measurement } from './measure.js';

const FERRY = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url));
const REPEAT = Number(process.env.FERRY_BENCH_REPEAT ?? 3);
/**
 * `sh -c` running qemu-img, then `sync FILE` (an fsync) on its output. qemu-img convert writes
 * with cache mode "unsafe" unless told otherwise and exits with gigabytes still dirty, while
 * Ferry flushes its output before renaming it; the fsync gives both the same finish. (`-t
 * writeback` would make qemu's qcow2 driver flush after metadata updates as well.)
 */
const FLUSHED = ['-c', 'out=$1; shift; qemu-img "$@" && sync "$out"', 'qemu-img'];
const MB = 1e6;

interface Case {
  name: string;
  input: () => Promise<string>;
  /** Ferry's --format and the extension of its output. */
  ferryFormat: string;
  extension: string;
  /** qemu-img's -O and -o. */
  qemuArgs: string[];
  budget: { time: number; size?: [number, number] };
}

const FULL_FORMATS: [string, string, string[]][] = [
  ['vmdk', 'vmdk', ['-O', 'vmdk']],
  ['vhdx', 'vhdx', ['-O', 'vhdx']],
  ['qcow2', 'qcow2', ['-O', 'qcow2']],
  ['vdi', 'vdi', ['-O', 'vdi']],
  ['vhd', 'vhd', ['-O', 'vpc']],
];

const CASES: Case[] = [
  ...FULL_FORMATS.map(([format, extension, qemuArgs]): Case => ({
    name: `(a) full 4 GiB -> ${format}`,
    input: fullDisk,
    ferryFormat: format,
    extension,
    qemuArgs,
    budget: { time: 1.0 },
  })),
  {
    name: '(b) ext4 25% used, dirty free space -> vmdk',
    input: dirtyExt4Disk,
    ferryFormat: 'vmdk',
    extension: 'vmdk',
    qemuArgs: ['-O', 'vmdk'],
    budget: { time: 0.4, size: [0, 0.35] },
  },
  {
    name: '(c) full 4 GiB -> vmdk-stream',
    input: fullDisk,
    ferryFormat: 'vmdk-stream',
    extension: 'vmdk',
    qemuArgs: ['-O', 'vmdk', '-o', 'subformat=streamOptimized'],
    budget: { time: 0.6, size: [0.95, 1.05] },
  },
];

interface Row {
  name: string;
  ferry: Measurement;
  qemu: Measurement;
  ferryBytes: number;
  qemuBytes: number;
  budget: Case['budget'];
}

async function runCase(c: Case): Promise<Row> {
  const input = await c.input();
  const ferryOut = join(BENCH_DIR, `out-ferry.${c.extension}`);
  const qemuOut = join(BENCH_DIR, `out-qemu.${c.extension}`);
  const best = { ferry: null as Measurement | null, qemu: null as Measurement | null };
  let ferryBytes = 0;
  let qemuBytes = 0;
  const runQemu = async (): Promise<void> => {
    const qemu = await measure(
      'sh',
      [...FLUSHED, qemuOut, 'convert', '-f', 'raw', ...c.qemuArgs, input, qemuOut],
      BENCH_DIR,
    );
    qemuBytes = await sizeOnDisk([qemuOut]);
    await removeAll([qemuOut]);
    if (!best.qemu || qemu.seconds < best.qemu.seconds) best.qemu = qemu;
  };
  const runFerry = async (): Promise<void> => {
    const ferry = await measure(
      'node',
      [FERRY, 'convert', '--force', '--format', c.ferryFormat, input, ferryOut],
      BENCH_DIR,
    );
    ferryBytes = await sizeOnDisk([ferryOut]);
    await removeAll([ferryOut]);
    if (!best.ferry || ferry.seconds < best.ferry.seconds) best.ferry = ferry;
  };
  for (let i = 0; i < REPEAT; i++) {
    await removeAll([ferryOut, qemuOut]);
    // Turns alternate: on a shared machine the first run after a pause is often the slow one.
    for (const run of i % 2 === 0 ? [runQemu, runFerry] : [runFerry, runQemu]) await run();
  }
  return {
    name: c.name,
    ferry: best.ferry!,
    qemu: best.qemu!,
    ferryBytes,
    qemuBytes,
    budget: c.budget,
  };
}

function verdict(row: Row): string {
  const time = row.ferry.seconds / row.qemu.seconds;
  const size = row.ferryBytes / row.qemuBytes;
  const fails: string[] = [];
  if (time > row.budget.time) fails.push(`time > ${row.budget.time}`);
  if (row.budget.size && (size < row.budget.size[0] || size > row.budget.size[1])) {
    fails.push(`size outside ${row.budget.size.join('..')}`);
  }
  if (row.ferry.peakRssBytes > 200 * MB) fails.push('RSS > 200 MB');
  return fails.length === 0 ? 'ok' : `OVER: ${fails.join(', ')}`;
}

const rows: Row[] = [];
for (const c of CASES) {
  process.stderr.write(`${c.name} ...\n`);
  rows.push(await runCase(c));
}
const cpu = (m: Measurement): string => `${m.userSeconds.toFixed(2)}/${m.systemSeconds.toFixed(2)}`;
const header = [
  'case',
  'ferry s',
  'qemu-img s',
  'ferry user/sys',
  'qemu-img user/sys',
  'time ratio',
  'size ratio',
  'ferry peak RSS',
  'budget',
];
const lines = rows.map((r) => [
  r.name,
  r.ferry.seconds.toFixed(2),
  r.qemu.seconds.toFixed(2),
  cpu(r.ferry),
  cpu(r.qemu),
  (r.ferry.seconds / r.qemu.seconds).toFixed(2),
  (r.ferryBytes / r.qemuBytes).toFixed(3),
  `${(r.ferry.peakRssBytes / MB).toFixed(0)} MB`,
  verdict(r),
]);
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
const format = (cells: string[]): string =>
  `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(format(header));
console.log(format(widths.map((w) => '-'.repeat(w))));
for (const line of lines) console.log(format(line));
process.exitCode = rows.every((r) => verdict(r) === 'ok') ? 0 : 1;
