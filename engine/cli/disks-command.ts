import type { Disk } from '../../shared/disks.js';
import { formatSize } from '../../shared/units.js';
import { listDisks } from '../disks/list-disks.js';
import { expectPositionals, parseCommandArgs } from './args.js';
import { renderTable } from './text-table.js';
import { printJson, type Terminal } from './terminal.js';
import { DISKS_HELP } from './help.js';

export async function disksCommand(argv: readonly string[], terminal: Terminal): Promise<number> {
  const { values, positionals } = parseCommandArgs('disks', argv, {
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    terminal.out(DISKS_HELP);
    return 0;
  }
  expectPositionals('disks', positionals, []);
  const disks = await listDisks();
  if (values.json) printJson(terminal, disks);
  else terminal.out(describeDisks(disks));
  return 0;
}

export function describeDisks(disks: readonly Disk[]): string {
  if (disks.length === 0) return 'No physical disks found.';
  const rows: string[][] = [];
  for (const disk of disks) {
    const flags = [
      disk.system && 'system',
      disk.removable && 'removable',
      disk.readOnly && 'read-only',
    ];
    rows.push([
      disk.path,
      formatSize(disk.size),
      disk.bus,
      `${disk.logicalSectorSize}/${disk.physicalSectorSize}`,
      '',
      '',
      [disk.model, disk.serial && `(${disk.serial})`].filter(Boolean).join(' '),
      flags.filter(Boolean).join(', '),
    ]);
    for (const part of disk.partitions) {
      rows.push([
        `  ${part.path ?? `#${part.number}`}`,
        formatSize(part.size),
        '',
        '',
        part.filesystem ?? '',
        part.label ?? '',
        part.mountPoints.join(' '),
        part.usedBytes === null ? '' : `used ${formatSize(part.usedBytes)}`,
      ]);
    }
  }
  return renderTable(
    [
      { title: 'Device' },
      { title: 'Size', align: 'right' },
      { title: 'Bus' },
      { title: 'Sectors' },
      { title: 'FS' },
      { title: 'Label' },
      { title: 'Model / mounted at' },
      { title: 'Notes' },
    ],
    rows,
  );
}
