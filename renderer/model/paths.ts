/**
 * Paths of the engine's machine, handled as text: the renderer has no `node:path`, and the
 * engine may run Windows while the page runs elsewhere, so the folder's own separator is kept.
 */

const SEPARATORS = /[\\/]/;

export function joinPath(folder: string, name: string): string {
  const separator = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
  return folder.endsWith(separator) ? folder + name : folder + separator + name;
}

export function baseName(path: string): string {
  const parts = path.split(SEPARATORS).filter((part) => part !== '');
  return parts[parts.length - 1] ?? '';
}

const IMAGE_EXTENSIONS = /(\.(img|raw|dd|bin|iso|vmdk|vhd|vhdx|vdi|qcow2))?(\.gz)?$/i;

/** A file name stem people recognise: the image's own name, or the disk's model. */
export function defaultOutputName(source: string, model: string | null): string {
  const stem = model ?? baseName(source).replace(IMAGE_EXTENSIONS, '');
  const safe = stem
    .trim()
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '');
  return safe === '' ? 'disk' : safe;
}

export type NameProblem = 'empty' | 'separator' | 'reserved';

/** Why a file name cannot be used as typed, or null when it can. */
export function nameProblem(name: string): NameProblem | null {
  if (name.trim() === '') return 'empty';
  if (SEPARATORS.test(name)) return 'separator';
  if (name === '.' || name === '..' || /[<>:"|?*]/.test(name)) return 'reserved';
  return null;
}
