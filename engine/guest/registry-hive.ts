/**
 * A read-only reader of Windows registry hive files (regf), enough to learn what Windows is on a
 * disk from its SOFTWARE hive. Keys are found by path, case-insensitively as Windows finds them;
 * values are decoded by type. The layout follows hivex (libguestfs) and the regf notes of Maxim
 * Suhanov; every offset goes through HiveCells, which accepts only cells that really exist.
 */
import { decodeName, HiveCells, NO_CELL, requireLength } from './registry-cells.js';
import { subkeyOffsets } from './registry-subkeys.js';
import { readValue, type RegistryValue, valueName, valueOffsets } from './registry-values.js';

export type { RegistryValue } from './registry-values.js';

const NK_NAME_OFFSET = 0x4c;
const KEY_COMP_NAME = 0x0020;

export class RegistryHive {
  private readonly cells: HiveCells;
  readonly root: RegistryKey;

  /** Opens the hive in `bytes`; `where` names it in errors ("partition 2: .../SOFTWARE"). */
  constructor(bytes: Buffer, where: string) {
    this.cells = new HiveCells(bytes, where);
    this.root = new RegistryKey(this.cells, this.cells.header.rootOffset, null);
  }

  /** See HiveHeader.dirty: the file may lag behind what Windows last saw. */
  get dirty(): boolean {
    return this.cells.header.dirty;
  }

  /**
   * The key at `path` ("Microsoft\Windows NT\CurrentVersion"), relative to the root, `\`-separated
   * and case-insensitive; null when a component is missing.
   */
  key(path: string): RegistryKey | null {
    let key: RegistryKey | null = this.root;
    for (const component of path.split('\\')) {
      if (component === '') continue;
      key = key.subkey(component);
      if (key === null) return null;
    }
    return key;
  }
}

/** A key of an open hive; RegistryHive makes them, reading each record as it is reached. */
export class RegistryKey {
  readonly name: string;
  /** The key's path from the root, with names as stored ('' for the root). */
  readonly path: string;
  private readonly record: Buffer;

  constructor(
    private readonly cells: HiveCells,
    offset: number,
    parent: RegistryKey | null,
  ) {
    const what = parent === null ? 'root key' : `a subkey of ${parent.what}`;
    this.record = cells.cell(offset, what);
    requireLength(cells, this.record, NK_NAME_OFFSET, what);
    if (this.record.toString('latin1', 0, 2) !== 'nk') {
      throw cells.error(`${what}: cell 0x${offset.toString(16)} is not an nk record`);
    }
    const length = this.record.readUInt16LE(0x48);
    requireLength(cells, this.record, NK_NAME_OFFSET + length, `${what}: name`);
    const compressed = (this.record.readUInt16LE(0x02) & KEY_COMP_NAME) !== 0;
    this.name = decodeName(
      this.record.subarray(NK_NAME_OFFSET, NK_NAME_OFFSET + length),
      compressed,
    );
    this.path =
      parent === null ? '' : parent.path === '' ? this.name : `${parent.path}\\${this.name}`;
  }

  subkeys(): RegistryKey[] {
    const count = this.record.readUInt32LE(0x14);
    if (count === 0) return [];
    const list = this.record.readUInt32LE(0x1c);
    if (list === NO_CELL) throw this.cells.error(`${this.what}: ${count} subkeys but no list`);
    return subkeyOffsets(this.cells, list, count, this.what).map(
      (offset) => new RegistryKey(this.cells, offset, this),
    );
  }

  subkeyNames(): string[] {
    return this.subkeys().map((key) => key.name);
  }

  subkey(name: string): RegistryKey | null {
    const wanted = foldCase(name);
    return this.subkeys().find((key) => foldCase(key.name) === wanted) ?? null;
  }

  valueNames(): string[] {
    return this.valueCells().map((offset) => valueName(this.cells, offset, this.what));
  }

  values(): RegistryValue[] {
    return this.valueCells().map((offset) => readValue(this.cells, offset, this.what));
  }

  /** The value called `name` (case-insensitive; '' is the key's default value), or null. */
  value(name: string): RegistryValue | null {
    const wanted = foldCase(name);
    const offset = this.valueCells().find(
      (candidate) => foldCase(valueName(this.cells, candidate, this.what)) === wanted,
    );
    return offset === undefined ? null : readValue(this.cells, offset, this.what);
  }

  /** The key as errors name it. */
  private get what(): string {
    return this.path === '' ? 'root key' : `key ${JSON.stringify(this.path)}`;
  }

  private valueCells(): number[] {
    const count = this.record.readUInt32LE(0x24);
    return valueOffsets(this.cells, this.record.readUInt32LE(0x28), count, this.what);
  }
}

/**
 * Windows compares names by upper-casing each UTF-16 unit on its own, so "ß" never becomes "SS";
 * a unit whose upper case is longer stays as it is.
 */
function foldCase(name: string): string {
  let folded = '';
  for (let i = 0; i < name.length; i++) {
    const unit = name[i]!;
    const upper = unit.toUpperCase();
    folded += upper.length === 1 ? upper : unit;
  }
  return folded;
}
