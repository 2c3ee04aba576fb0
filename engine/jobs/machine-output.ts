/**
 * The VM around a converted disk: planned with the conversion (hardware defaults from the guest
 * found on the source, firmware from how it boots), written once the disk is complete.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import type { MachinePlan } from '../../shared/api.js';
import type { InspectReport } from '../../shared/layout.js';
import type { Controller, Firmware } from '../../shared/machines.js';
import { PartialFile } from '../formats/partial-file.js';
import type { FirmwareDetection } from '../machines/detect-firmware.js';
import { CONTROLLERS_BY_HYPERVISOR, NICS_BY_HYPERVISOR } from '../machines/hardware-defaults.js';
import { buildHyperVScript } from '../machines/hyperv.js';
import { buildLibvirtDomain } from '../machines/libvirt.js';
import { resolveMachineSpec } from '../machines/machine-spec.js';
import { manifestLine, writeOva } from '../machines/ova.js';
import { buildOvf } from '../machines/ovf.js';
import type { MachineSpec } from '../machines/types.js';
import { buildVbox } from '../machines/vbox.js';
import { buildVmx } from '../machines/vmx.js';
import type { MachineTargets } from './machine-targets.js';

/** What the user chose of the machine's hardware; the rest takes the defaults. */
export interface HardwareChoices {
  name?: string;
  cpus?: number;
  memoryBytes?: number;
  firmware?: Firmware;
  controller?: Controller;
  nic?: string;
}

export interface PlannedMachine {
  targets: MachineTargets;
  spec: MachineSpec;
  /** What the Customize and Summary screens show. */
  summary: MachinePlan;
}

/** Merges the user's choices with the defaults for the guest, and checks them (USAGE). */
export function planMachine(
  targets: MachineTargets,
  report: InspectReport,
  firmware: FirmwareDetection,
  hardware: HardwareChoices,
  diskSize: number,
): PlannedMachine {
  const { hypervisor } = targets;
  const spec = resolveMachineSpec(hypervisor, {
    name: hardware.name ?? basename(targets.definition, extname(targets.definition)),
    guest: report.guest,
    firmware: hardware.firmware ?? firmware.detected,
    disk: {
      path: basename(targets.disk),
      format: targets.format,
      virtualSize: diskSize,
      uuid: randomUUID(),
    },
    ...hardware,
  });
  return {
    targets,
    spec,
    summary: {
      name: spec.name,
      cpus: spec.cpus,
      memoryBytes: spec.memoryBytes,
      firmware: spec.firmware,
      controller: spec.controller,
      nic: spec.nic,
      controllers: [...CONTROLLERS_BY_HYPERVISOR[hypervisor]],
      nics: [...NICS_BY_HYPERVISOR[hypervisor]],
      files: targets.ova ? [targets.ova] : targets.outputs,
    },
  };
}

/**
 * Writes the definition beside the finished disk (each file as .partial, then renamed), or packs
 * the OVA and removes the disk it packed. Returns every file the user now has.
 */
export async function writeMachine(
  machine: PlannedMachine,
  diskFiles: readonly string[],
  signal?: AbortSignal,
): Promise<string[]> {
  const { targets, spec } = machine;
  switch (targets.hypervisor) {
    case 'vmware':
      return [...diskFiles, await writeText(targets.definition, buildVmx(spec))];
    case 'virtualbox':
      return [...diskFiles, await writeText(targets.definition, buildVbox(spec))];
    case 'hyperv':
      return [...diskFiles, await writeText(targets.definition, buildHyperVScript(spec))];
    case 'libvirt': {
      const directory = resolve(dirname(targets.disk));
      return [
        ...diskFiles,
        await writeText(targets.definition, buildLibvirtDomain(spec, { directory })),
      ];
    }
    case 'ovf':
      return writeOvf(machine, signal);
  }
}

async function writeOvf(machine: PlannedMachine, signal?: AbortSignal): Promise<string[]> {
  const { targets, spec } = machine;
  const diskFileSize = (await stat(targets.disk)).size;
  const text = buildOvf(spec, { version: '1.0', diskFileSize });
  const descriptorName = basename(targets.definition);
  if (targets.ova) {
    try {
      await writeOva(
        targets.ova,
        { name: descriptorName, text },
        [{ name: spec.disk.path, path: targets.disk }],
        signal ? { signal } : {},
      );
    } finally {
      await rm(targets.disk, { force: true });
    }
    return [targets.ova];
  }
  const lines = [
    manifestLine(descriptorName, sha256(Buffer.from(text, 'utf8'))),
    manifestLine(spec.disk.path, await sha256OfFile(targets.disk)),
  ];
  return [
    await writeText(targets.definition, text),
    targets.disk,
    await writeText(targets.manifest!, lines.join('')),
  ];
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 2 ** 20 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function writeText(path: string, text: string): Promise<string> {
  const file = await PartialFile.create(path);
  try {
    await file.writeAt(Buffer.from(text, 'utf8'), 0);
    return await file.commit();
  } catch (error) {
    await file.discard();
    throw error;
  }
}
