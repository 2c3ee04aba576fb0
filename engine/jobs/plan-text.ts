import { basename } from 'node:path';
import { formatSize } from '../../shared/units.js';
import type { ConversionPlan } from './convert.js';
import type { PlannedMachine } from './machine-output.js';
import { estimateOutputBytes, isPreallocated } from './output-estimate.js';
import type { VolumeLayout } from './volume-layout.js';

/**
 * What a conversion will do, for people: the command line prints it before copying and a job's
 * log starts with it. One line, then one indented line per change of layout and for the VM;
 * the plan's warnings are for the caller to show as warnings.
 */
export function describePlan(
  plan: ConversionPlan,
  { thick, verify }: { thick: boolean; verify: boolean },
): string {
  const scope =
    plan.copyBytes < plan.diskSize
      ? `reading ${formatSize(plan.copyBytes)} of ${formatSize(plan.diskSize)} (the blocks in use)`
      : `reading all ${formatSize(plan.diskSize)}`;
  const allocation = isPreallocated(plan.format, thick) ? 'preallocated' : 'thin';
  const output = `, writing about ${formatSize(estimateOutputBytes(plan, thick))} (${allocation})${verify ? ', then reading it back to verify' : ''}`;
  const changes = plan.volumes ? describeLayout(plan.volumes, plan.diskSize) : '';
  const machine = plan.machine ? `\n  ${describeMachine(plan.machine)}` : '';
  return `Converting ${plan.layout.source} to ${plan.outputFiles.join(', ')} (${plan.format}): ${scope}${output}${changes}${machine}`;
}

/** One line per partition whose place or size changes, then the disk and the scratch space. */
function describeLayout(volumes: VolumeLayout, diskSize: number): string {
  const lines = volumes.volumes.flatMap((v) => {
    const name = `partition ${v.number}`;
    const renamed =
      v.destinationNumber !== null && v.destinationNumber !== v.number
        ? ` (now ${v.destinationNumber})`
        : '';
    switch (v.change) {
      case 'remove':
        return [`${name}: left out`];
      case 'move':
        return [`${name}${renamed}: moved`];
      case 'resize':
        return [
          `${name}${renamed}: ${formatSize(v.sourceSize)} -> ${formatSize(v.size!)} (${v.resizer})`,
        ];
      case 'grow':
        return [
          `${name}${renamed}: ${formatSize(v.sourceSize)} -> ${formatSize(v.size!)}, filesystem keeps its size`,
        ];
      case 'copy':
        return renamed ? [`${name}${renamed}`] : [];
    }
  });
  lines.push(`disk: ${formatSize(diskSize)}`);
  if (volumes.temporaryBytes > 0) {
    lines.push(`scratch space beside the destination: ${formatSize(volumes.temporaryBytes)}`);
  }
  return lines.map((line) => `\n  ${line}`).join('');
}

/** "libvirt machine web (2 CPUs, 2 GiB, UEFI, virtio disk, virtio network): web.xml". */
function describeMachine({ targets, summary }: PlannedMachine): string {
  const hardware = [
    `${summary.cpus} CPU${summary.cpus === 1 ? '' : 's'}`,
    formatSize(summary.memoryBytes),
    summary.firmware === 'uefi' ? 'UEFI' : 'BIOS',
    `${summary.controller} disk`,
    `${summary.nic} network`,
  ];
  return `${targets.hypervisor} machine ${summary.name} (${hardware.join(', ')}): ${summary.files.map((f) => basename(f)).join(', ')}`;
}
