/**
 * The files a conversion leaves in the destination folder, as the engine names them
 * (engine/jobs/machine-targets.ts): the disk, named by the destination, and the machine's
 * definition beside it under the same name; or one `.ova` package holding them all.
 */
import type { FormatName } from '../../shared/formats.js';
import type { Hypervisor } from '../../shared/machines.js';
import { joinPath } from './paths.js';
import { definitionExtension, extensionOf, machineOf, type TargetId } from './targets.js';

export interface OutputChoice {
  target: TargetId;
  format: FormatName;
  /** For an OVF machine: one `.ova` file rather than a folder of files. */
  ova: boolean;
}

/** Whether the destination is an OVA package, which the engine writes as an OVF machine. */
export function isOva({ target, ova }: OutputChoice): boolean {
  return target === 'ovf' && ova;
}

/** The extension of the destination the job names: the disk's, or the package's. */
export function destinationExtension(choice: OutputChoice): string {
  return isOva(choice) ? '.ova' : extensionOf(choice.format);
}

export function expectedFiles(folder: string, name: string, choice: OutputChoice): string[] {
  const file = (extension: string): string => joinPath(folder, name + extension);
  if (isOva(choice)) return [file('.ova')];
  const disk = [file(extensionOf(choice.format))];
  // A flat VMDK is a descriptor and a data file beside it.
  if (choice.format === 'vmdk-flat') disk.push(file('-flat.vmdk'));
  const machine = machineOf(choice.target);
  if (machine === undefined) return disk;
  const definition = file(definitionExtension(machine));
  return machine === 'ovf' ? [definition, ...disk, file('.mf')] : [...disk, definition];
}

/** The file a person opens next: the machine's definition or package, else the disk. */
export function mainFile(
  files: readonly string[],
  machine: Hypervisor | undefined,
): string | undefined {
  const own = machine ? ['.ova', definitionExtension(machine)] : [];
  return files.find((file) => own.some((end) => file.toLowerCase().endsWith(end))) ?? files[0];
}
