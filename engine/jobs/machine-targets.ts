/**
 * Where a conversion with a VM definition puts its files. The destination names either the disk
 * (`vm/disk.vmdk --machine vmware` writes `vm/disk.vmx` beside it), the definition itself
 * (`vm/web.vbox`, with or without --machine, writes `vm/web.vdi` beside it), or an OVA (`web.ova`: a package holding the
 * OVF, its disk and manifest).
 */
import { basename, dirname, extname, join } from 'node:path';
import { FerryError } from '../../shared/errors.js';
import { FORMAT_EXTENSIONS, type FormatName } from '../../shared/formats.js';
import {
  DEFINITION_EXTENSIONS,
  FORMATS_BY_HYPERVISOR,
  HYPERVISORS,
  type Hypervisor,
} from '../../shared/machines.js';
import { chooseFormat } from '../formats/registry.js';

export interface MachineTargets {
  hypervisor: Hypervisor;
  format: FormatName;
  /** Where the disk is written (for an OVA, a scratch file packed and then removed). */
  disk: string;
  /** The definition's file: .vmx, .vbox, .ps1, .xml or .ovf. */
  definition: string;
  /** OVF: the manifest beside the descriptor. */
  manifest: string | null;
  /** The OVA that packs everything, when the destination is one. */
  ova: string | null;
  /** What the user ends up with: the files that must not exist already. */
  outputs: string[];
}

/**
 * Works out the files of `destination` for `machine` (or for the OVF an `.ova` implies), with
 * the disk format from `format`, the disk's extension, or the hypervisor's usual one. Refuses
 * a format the hypervisor cannot run and a destination that names another hypervisor's file.
 */
export function machineTargets(
  destination: string,
  machine: Hypervisor | undefined,
  format: string | undefined,
): MachineTargets | null {
  const extension = extname(destination).toLowerCase();
  const ova = extension === '.ova';
  if (ova && machine !== undefined && machine !== 'ovf') {
    throw usage(
      `an .ova holds an OVF machine, not a ${machine} one`,
      '--machine',
      'drop --machine, or name another destination',
    );
  }
  const hypervisor = ova ? 'ovf' : (machine ?? definedBy(extension));
  if (hypervisor === undefined) return null;

  const own = {
    extension: DEFINITION_EXTENSIONS[hypervisor],
    format: FORMATS_BY_HYPERVISOR[hypervisor][0],
  };
  const folder = dirname(destination);
  const base = basename(destination, extname(destination));
  const namesDefinition = ova || extension === own.extension;
  const foreign = Object.values(DEFINITION_EXTENSIONS).find(
    (d) => d === extension && d !== own.extension,
  );
  if (foreign) {
    throw usage(
      `"${extension}" is not a ${hypervisor} definition`,
      destination,
      `name the ${own.extension} file, or the disk`,
    );
  }
  // A disk named with the hypervisor's own disk extension gets its usual format: an OVF's
  // .vmdk is streamOptimized.
  const usual = extension === FORMAT_EXTENSIONS[own.format];
  const diskFormat = namesDefinition
    ? format === undefined
      ? own.format
      : chooseFormat(destination, format)
    : chooseFormat(destination, format ?? (usual ? own.format : undefined));
  const disk = namesDefinition
    ? join(folder, `${base}${ova ? '-disk1' : ''}${FORMAT_EXTENSIONS[diskFormat]}`)
    : destination;
  if (!FORMATS_BY_HYPERVISOR[hypervisor].includes(diskFormat)) {
    throw usage(
      `${hypervisor} does not run ${diskFormat} disks`,
      '--format',
      `use ${FORMATS_BY_HYPERVISOR[hypervisor].join(' or ')}`,
    );
  }
  const definition = join(folder, `${base}${own.extension}`);
  const manifest = hypervisor === 'ovf' ? join(folder, `${base}.mf`) : null;
  return {
    hypervisor,
    format: diskFormat,
    disk,
    definition,
    manifest,
    ova: ova ? destination : null,
    outputs: ova ? [destination] : [definition, ...(manifest ? [manifest] : [])],
  };
}

/** The hypervisor whose definition file has this extension (`web.vbox` means VirtualBox). */
function definedBy(extension: string): Hypervisor | undefined {
  return HYPERVISORS.find((h) => DEFINITION_EXTENSIONS[h] === extension);
}

function usage(message: string, where: string, hint: string): FerryError {
  return new FerryError('USAGE', message, { where, hint });
}
