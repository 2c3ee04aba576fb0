/**
 * Subkey lists: a key's children are named by an index cell of one of four kinds. "lf" and "lh"
 * (offset + name hint or hash, 8 bytes an entry) and "li" (offset only) list keys; "ri" lists
 * other lists, which Windows uses once a key has more children than one list holds.
 */
import { type HiveCells, requireLength } from './registry-cells.js';

const LIST_HEADER_SIZE = 4;
/**
 * How many lists deep a chain from a key may go. Windows puts leaf lists directly under one ri
 * (depth 2); an ri inside an ri is tolerated (depth 3), anything deeper is refused.
 */
const MAX_INDEX_DEPTH = 3;

/**
 * The cell offsets of the `expected` children listed from the index cell at `listOffset`. The
 * count must match the key's own, as hivex requires; every list is visited at most once, so a
 * list that names itself or an ancestor cannot make this loop.
 */
export function subkeyOffsets(
  cells: HiveCells,
  listOffset: number,
  expected: number,
  what: string,
): number[] {
  const children: number[] = [];
  const visited = new Set<number>();

  const readList = (offset: number, depth: number): void => {
    if (visited.has(offset))
      throw cells.error(`${what}: subkey list 0x${offset.toString(16)} repeats`);
    visited.add(offset);
    const list = cells.cell(offset, `${what}: subkey list`);
    requireLength(cells, list, LIST_HEADER_SIZE, `${what}: subkey list`);
    const kind = list.toString('latin1', 0, 2);
    const count = list.readUInt16LE(2);
    const entrySize = kind === 'lf' || kind === 'lh' ? 8 : 4;
    if (kind !== 'lf' && kind !== 'lh' && kind !== 'li' && kind !== 'ri') {
      throw cells.error(`${what}: subkey list has signature ${JSON.stringify(kind)}`);
    }
    requireLength(
      cells,
      list,
      LIST_HEADER_SIZE + count * entrySize,
      `${what}: ${kind} list of ${count}`,
    );
    for (let i = 0; i < count; i++) {
      const entry = list.readUInt32LE(LIST_HEADER_SIZE + i * entrySize);
      if (kind !== 'ri') {
        if (children.length === expected) {
          throw cells.error(
            `${what}: the subkey lists name more than the ${expected} subkeys counted`,
          );
        }
        children.push(entry);
      } else if (depth === MAX_INDEX_DEPTH) {
        throw cells.error(
          `${what}: subkey index lists are nested more than ${MAX_INDEX_DEPTH} deep`,
        );
      } else {
        readList(entry, depth + 1);
      }
    }
  };

  readList(listOffset, 1);
  if (children.length !== expected) {
    throw cells.error(`${what}: the subkey lists name ${children.length} of ${expected} subkeys`);
  }
  return children;
}
