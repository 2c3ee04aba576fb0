import { rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { FerryError } from '../../shared/errors.js';
import { THICK_FORMATS, type FormatName } from '../../shared/formats.js';
import type { InspectReport } from '../../shared/layout.js';
import { chooseFormat, writerFor } from '../formats/registry.js';
import { readLayout, type DiskLayout } from '../inspect.js';
import { openSource } from '../io/open-source.js';
import type { BlockSource } from '../io/source.js';
import { totalLength, type ByteRange } from '../ranges.js';
import { destinationDisk } from '../volumes/destination-disk.js';
import type { VolumeRequest } from '../volumes/types.js';
import type { Hypervisor } from '../../shared/machines.js';
import { detectFirmware, type FirmwareDetection } from '../machines/detect-firmware.js';
import { copyRanges } from './copy-ranges.js';
import {
  planMachine,
  writeMachine,
  type HardwareChoices,
  type PlannedMachine,
} from './machine-output.js';
import { machineTargets, type MachineTargets } from './machine-targets.js';
import { guardDestination } from './destination-guard.js';
import { ProgressMeter, type Progress } from './progress.js';
import { readExtents, throwIfAborted } from './read-extents.js';
import { ChunkDigests, checkChunks, type ChunkPassOptions } from './verify-chunks.js';
import { changesLayout, planVolumes, reshapeDisk, type VolumeLayout } from './volume-layout.js';

export interface ConvertRequest {
  source: string;
  destination: string;
  /** A format name; by default the destination's extension decides. */
  format?: string;
  /** Copy every non-zero block, not only those the filesystems use. */
  allBlocks?: boolean;
  thick?: boolean;
  compress?: boolean;
  force?: boolean;
  /** Bytes per second to read at most. */
  throttle?: number;
  /** Partition numbers to copy; absent copies them all. */
  partitions?: readonly number[];
  /** New size in bytes by partition number; `max` takes the room the others leave on the disk. */
  resize?: Readonly<Record<string, number | 'max'>>;
  /** The virtual disk's size in bytes. */
  diskSize?: number;
  /** Write the VM definition for this hypervisor beside the disk; an .ova destination implies ovf. */
  machine?: Hypervisor;
  hardware?: HardwareChoices;
  /** Read the written disk back through its format's reader and check every chunk. */
  verify?: boolean;
}

/** A conversion worked out before a byte is written: what is read, what is made. */
export interface ConversionPlan {
  format: FormatName;
  outputFiles: string[];
  diskSize: number;
  /**
   * Ranges of the disk being written that are read (from the source, or from a resized copy);
   * all-zero runs inside them are not written. Before a resize runs, its partition counts with
   * the source's used ranges.
   */
  copy: ByteRange[];
  copyBytes: number;
  /** The source as it was read. */
  layout: InspectReport;
  /** The new layout, when the request changes it; null when the disk is copied as it is. */
  volumes: VolumeLayout | null;
  warnings: string[];
  /** What the run needs besides the report: the used ranges behind it. */
  diskLayout: DiskLayout;
  /** Where the disk is written: the destination, or beside a VM definition or OVA. */
  diskDestination: string;
  /** How the source boots, as far as Ferry can tell. */
  firmware: FirmwareDetection;
  /** The VM definition to write around the disk, when one was asked for. */
  machine: PlannedMachine | null;
}

export interface ConvertEvents {
  onPlan?(plan: ConversionPlan): void;
  onProgress?(progress: Progress): void;
  /** Something the user should know that does not stop the job (a filesystem left unresized). */
  onWarning?(message: string): void;
  /** The disk is written and is now read back (`verify`). */
  onVerifying?(): void;
}

export interface ConversionResult {
  files: string[];
  /** Size of the output files on disk, in bytes. */
  bytes: number;
}

/** Works out what a conversion of `source` will read and write, before a byte is written. */
export async function planConversion(
  source: BlockSource,
  request: ConvertRequest,
): Promise<ConversionPlan> {
  const { targets, diskDestination, format, outputFiles } = resolveOutputs(request);
  const layout = await readLayout(source);
  const volumeRequest = toVolumeRequest(request);
  const volumes = changesLayout(volumeRequest)
    ? await planVolumes(source, layout, volumeRequest)
    : null;
  const copy = volumes
    ? plannedCopy(source, layout, volumes, request.allBlocks ?? false)
    : copyRanges(layout, request.allBlocks ?? false);
  const diskSize = volumes?.plan.diskSize ?? source.size;
  const firmware = await detectFirmware(source, layout.report);
  const machine = targets
    ? planMachine(targets, layout.report, firmware, request.hardware ?? {}, diskSize)
    : null;
  return {
    format,
    outputFiles,
    diskSize,
    copy,
    copyBytes: totalLength(copy),
    layout: layout.report,
    volumes,
    warnings: [
      ...layout.report.warnings,
      ...(volumes?.warnings ?? []),
      ...(request.thick && !THICK_FORMATS.has(format) ? [thickIgnored(format)] : []),
    ],
    diskLayout: layout,
    diskDestination,
    firmware,
    machine,
  };
}

function thickIgnored(format: FormatName): string {
  const thick = [...THICK_FORMATS].join(', ');
  return `--thick has no effect on ${format}, which is always written thin; these formats can be preallocated: ${thick}`;
}

/** The command-line option of each hardware choice, for messages. */
const HARDWARE_OPTION: Record<keyof HardwareChoices, string> = {
  name: '--name',
  cpus: '--cpus',
  memoryBytes: '--memory',
  firmware: '--firmware',
  controller: '--controller',
  nic: '--nic',
};

/**
 * The files a request produces, known from its words alone: the disk (named by the destination,
 * or beside the VM definition or OVA it names) and the definition's files.
 */
export function resolveOutputs(
  request: Pick<ConvertRequest, 'destination' | 'format' | 'machine' | 'hardware'>,
): {
  targets: MachineTargets | null;
  diskDestination: string;
  format: FormatName;
  outputFiles: string[];
} {
  const targets = machineTargets(request.destination, request.machine, request.format);
  const chosen = Object.entries(request.hardware ?? {})
    .filter(([, value]) => value !== undefined)
    .map(([key]) => key);
  if (!targets && chosen.length > 0) {
    throw new FerryError(
      'USAGE',
      `${HARDWARE_OPTION[chosen[0] as keyof HardwareChoices]} describes a virtual machine, but none is written`,
      {
        where: request.destination,
        hint: 'add --machine vmware|virtualbox|hyperv|libvirt|ovf, or name a .vmx, .vbox, .ps1, .xml, .ovf or .ova',
      },
    );
  }
  const diskDestination = targets?.disk ?? request.destination;
  const format = targets?.format ?? chooseFormat(diskDestination, request.format);
  const diskFiles = writerFor(format).outputFiles(diskDestination);
  const outputFiles = targets ? [...(targets.ova ? [] : diskFiles), ...targets.outputs] : diskFiles;
  return { targets, diskDestination, format, outputFiles };
}

function toVolumeRequest(request: ConvertRequest): VolumeRequest {
  const resize = new Map<number, number>();
  let fill: number | undefined;
  for (const [number, size] of Object.entries(request.resize ?? {})) {
    if (size === 'max') fill = Number(number);
    else resize.set(Number(number), size);
  }
  return {
    ...(request.partitions ? { partitions: request.partitions } : {}),
    ...(resize.size > 0 ? { resize } : {}),
    ...(fill === undefined ? {} : { fill }),
    ...(request.diskSize === undefined ? {} : { diskSize: request.diskSize }),
  };
}

/**
 * The new disk's ranges to read, before any filesystem is resized: a resized partition counts
 * with its source used ranges, which is what its copy will roughly hold.
 */
function plannedCopy(
  source: BlockSource,
  layout: DiskLayout,
  volumes: VolumeLayout,
  allBlocks: boolean,
): ByteRange[] {
  const from = allBlocks ? { ...layout, used: new Map() } : layout;
  const asCopied = {
    ...volumes.plan,
    partitions: volumes.plan.partitions.map((p) =>
      p.action === 'resize' ? { ...p, action: 'copy' as const } : p,
    ),
  };
  return destinationDisk(source, from, asCopied, new Map()).copy;
}

/** `ferry convert`: plan, then copy the planned extents into the chosen format. */
export async function convert(
  request: ConvertRequest,
  events: ConvertEvents = {},
  signal?: AbortSignal,
): Promise<ConversionResult> {
  const source = await openSource(request.source, signal ? { signal } : {});
  try {
    const plan = await planConversion(source, request);
    events.onPlan?.(plan);
    // An OVA's disk is written beside it first: that scratch name must be free as well.
    const scratch = plan.machine?.targets.ova ? [plan.diskDestination] : [];
    await guardDestination(request.source, [...plan.outputFiles, ...scratch], {
      force: request.force ?? false,
    });
    throwIfAborted(signal, request.source);

    const resizing = plan.volumes?.temporaryBytes ?? 0;
    const meter = new ProgressMeter(resizing + plan.copyBytes);
    const disk = plan.volumes
      ? await reshapeDisk(source, plan.diskLayout, plan.volumes, {
          tempDir: dirname(request.destination),
          allBlocks: request.allBlocks ?? false,
          onProgress: (done) => events.onProgress?.(meter.update(Math.min(done, resizing))),
          ...(signal ? { signal } : {}),
        })
      : { disk: source, copy: plan.copy, warnings: [], dispose: async () => {} };
    try {
      for (const warning of disk.warnings) events.onWarning?.(warning);
      const copying = totalLength(disk.copy);
      // Verifying reads the copied ranges once more, from the written disk.
      meter.retotal(resizing + copying * (request.verify ? 2 : 1));
      const digests = request.verify ? new ChunkDigests() : null;
      const writer = await writerFor(plan.format).create(plan.diskDestination, {
        size: disk.disk.size,
        thick: request.thick ?? false,
        compress: request.compress ?? false,
        // The definition names the disk by this UUID, and VirtualBox checks it against the file's.
        ...(plan.machine?.spec.disk.uuid && { uuid: plan.machine.spec.disk.uuid }),
      });
      try {
        const extents = readExtents(disk.disk, disk.copy, {
          onRead: (done) => events.onProgress?.(meter.update(resizing + done)),
          ...(signal ? { signal } : {}),
          ...(request.throttle ? { throttle: request.throttle } : {}),
          ...(digests && { onChunk: (_: number, bytes: Buffer) => digests.add(bytes) }),
        });
        for await (const extent of extents) {
          await writer.write(extent);
        }
        throwIfAborted(signal, request.source);
        const written = await writer.finish();
        if (digests) {
          events.onVerifying?.();
          await verifyWritten(plan.diskDestination, disk.copy, digests, written, {
            onRead: (done) => events.onProgress?.(meter.update(resizing + copying + done)),
            ...(signal ? { signal } : {}),
          });
        }
        const files = plan.machine ? await finishMachine(plan.machine, written, signal) : written;
        return { files, bytes: await sizeOnDisk(files) };
      } catch (error) {
        await writer.abort();
        throw error;
      }
    } finally {
      await disk.dispose();
    }
  } finally {
    await source.close();
  }
}

/**
 * Reads the finished disk back through its format's reader and checks it against `digests`; a
 * disk that fails, or whose check is cancelled, is removed: it must not look finished.
 */
async function verifyWritten(
  disk: string,
  ranges: readonly ByteRange[],
  digests: ChunkDigests,
  written: readonly string[],
  options: ChunkPassOptions,
): Promise<void> {
  try {
    const image = await openSource(disk, options.signal ? { signal: options.signal } : {});
    try {
      await checkChunks(image, ranges, digests, options);
    } finally {
      await image.close();
    }
  } catch (error) {
    await Promise.all(written.map((file) => rm(file, { force: true })));
    if (!(error instanceof FerryError && error.code === 'VERIFY_MISMATCH')) throw error;
    throw new FerryError('VERIFY_MISMATCH', error.message, {
      where: disk,
      hint: 'the copy was damaged on its way to disk and has been removed: check the destination disk (and its cable), then convert again',
    });
  }
}

/** Writes the definition around the finished disk; if that fails, the disk goes too. */
async function finishMachine(
  machine: PlannedMachine,
  disk: string[],
  signal: AbortSignal | undefined,
): Promise<string[]> {
  try {
    throwIfAborted(signal, machine.targets.definition);
    return await writeMachine(machine, disk, signal);
  } catch (error) {
    await Promise.all(disk.map((file) => rm(file, { force: true })));
    throw error;
  }
}

async function sizeOnDisk(files: readonly string[]): Promise<number> {
  let bytes = 0;
  for (const file of files) bytes += (await stat(file)).blocks * 512;
  return bytes;
}
