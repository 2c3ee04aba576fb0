import type { GuestOs } from '../../shared/guest.js';
import type { FilesystemReport, InspectReport, PartitionReport } from '../../shared/layout.js';
import { formatSize } from '../../shared/units.js';
import { inspectSource } from '../inspect.js';
import { openSource } from '../io/open-source.js';
import { expectPositionals, parseCommandArgs } from './args.js';
import { renderTable } from './text-table.js';
import { printJson, type Terminal } from './terminal.js';
import { INSPECT_HELP } from './help.js';

export async function inspectCommand(argv: readonly string[], terminal: Terminal): Promise<number> {
  const { values, positionals } = parseCommandArgs('inspect', argv, {
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    terminal.out(INSPECT_HELP);
    return 0;
  }
  const [path] = expectPositionals('inspect', positionals, ['source']);
  const source = await openSource(path!);
  try {
    const report = await inspectSource(source);
    if (values.json) printJson(terminal, report);
    else terminal.out(describeReport(report));
    if (!values.json) for (const warning of report.warnings) terminal.err(`warning: ${warning}`);
    return 0;
  } finally {
    await source.close();
  }
}

export function describeReport(report: InspectReport): string {
  const sectors = Math.floor(report.size / report.sectorSize);
  const lines = [
    `Disk ${report.source}: ${formatSize(report.size)}, ${report.size} bytes, ${sectors} sectors of ${report.sectorSize} bytes`,
    `Format: ${report.format}${
      report.storedBytes === null ? '' : ` (${formatSize(report.storedBytes)} stored)`
    }   Partition table: ${report.table.type}${report.table.hybrid ? ' (hybrid MBR)' : ''}${
      report.table.id ? `   Disk identifier: ${report.table.id}` : ''
    }`,
  ];
  if (report.guest) lines.push(`System: ${describeGuest(report.guest)}`);
  if (report.filesystem) {
    lines.push('', `Whole-disk filesystem: ${describeFilesystem(report.filesystem)}`);
  }
  if (report.table.partitions.length > 0) {
    lines.push('', partitionTable(report));
  }
  return lines.join('\n');
}

/** "Windows 11 Pro (build 22631, x86_64) on partition 3". */
function describeGuest(guest: GuestOs): string {
  const details = [guest.build === null ? null : `build ${guest.build}`, guest.architecture].filter(
    (d) => d !== null,
  );
  const where = guest.partition === null ? '' : ` on partition ${guest.partition}`;
  return `${guest.name}${details.length > 0 ? ` (${details.join(', ')})` : ''}${where}`;
}

function partitionTable(report: InspectReport): string {
  const sector = report.sectorSize;
  const rows = report.table.partitions.map((p: PartitionReport) => [
    String(p.number),
    p.bootable ? '*' : '',
    String(p.start / sector),
    String((p.start + p.size) / sector - 1),
    formatSize(p.size),
    p.kind === 'logical' ? `  ${p.typeName}` : p.typeName,
    p.filesystem?.type ?? '',
    p.filesystem?.label ?? '',
    p.filesystem?.uuid ?? '',
    usage(p.filesystem, p.size),
  ]);
  return renderTable(
    [
      { title: '#', align: 'right' },
      { title: 'Boot' },
      { title: 'Start', align: 'right' },
      { title: 'End', align: 'right' },
      { title: 'Size', align: 'right' },
      { title: 'Type' },
      { title: 'FS' },
      { title: 'Label' },
      { title: 'UUID' },
      { title: 'Used', align: 'right' },
    ],
    rows,
  );
}

function usage(filesystem: FilesystemReport | null, partitionSize: number): string {
  if (!filesystem || filesystem.usedBytes === null) return '';
  const whole = filesystem.size ?? partitionSize;
  const percent = whole > 0 ? Math.round((filesystem.usedBytes / whole) * 100) : 0;
  return `${formatSize(filesystem.usedBytes)} (${percent}%)`;
}

function describeFilesystem(fs: FilesystemReport): string {
  const parts: string[] = [fs.type];
  if (fs.label) parts.push(`label "${fs.label}"`);
  if (fs.uuid) parts.push(`UUID ${fs.uuid}`);
  const used = usage(fs, fs.size ?? 0);
  if (used) parts.push(`used ${used}`);
  return parts.join(', ');
}
