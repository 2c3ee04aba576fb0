/**
 * ext4 extent trees: the root in i_block, index nodes and leaves in blocks of their own. Only
 * the part of the tree that covers the wanted blocks is read, and each node's entries must stay
 * inside the range its parent gave it, so a hostile tree costs no more reads than the file has
 * blocks.
 */
import type { BlockRun, ExtVolume } from './ext-volume.js';

const EXTENT_MAGIC = 0xf30a;
const HEADER_SIZE = 12;
const ENTRY_SIZE = 12;
/** The kernel's limit (EXT4_MAX_EXTENT_DEPTH). */
const MAX_DEPTH = 5;
/** An ee_len above this marks an unwritten extent, which reads as zeros. */
const MAX_INITIALIZED_LENGTH = 32768;

interface Walk {
  ext: ExtVolume;
  what: string;
  visited: Set<number>;
  runs: BlockRun[];
}

/** The written extents covering logical blocks 0 .. limit - 1, in logical order. */
export async function extentRuns(
  ext: ExtVolume,
  root: Buffer,
  limit: number,
  what: string,
): Promise<BlockRun[]> {
  const walk: Walk = { ext, what, visited: new Set(), runs: [] };
  await walkNode(walk, root, null, 0, limit);
  return walk.runs;
}

async function walkNode(
  walk: Walk,
  node: Buffer,
  expectedDepth: number | null,
  low: number,
  high: number,
): Promise<void> {
  const { ext, what } = walk;
  const entries = node.readUInt16LE(2);
  const max = node.readUInt16LE(4);
  const depth = node.readUInt16LE(6);
  if (
    node.readUInt16LE(0) !== EXTENT_MAGIC ||
    entries > max ||
    HEADER_SIZE + max * ENTRY_SIZE > node.length ||
    depth > MAX_DEPTH ||
    (expectedDepth !== null && depth !== expectedDepth)
  ) {
    throw ext.damaged('an extent tree node is malformed', what);
  }
  if (depth === 0) {
    addLeaf(walk, node, entries, low, high);
    return;
  }
  let previous = -1;
  for (let i = 0; i < entries; i++) {
    const at = HEADER_SIZE + i * ENTRY_SIZE;
    const first = node.readUInt32LE(at);
    if (first <= previous) throw ext.damaged('extent index entries are out of order', what);
    previous = first;
    const next = i + 1 < entries ? node.readUInt32LE(at + ENTRY_SIZE) : high;
    const start = Math.max(first, low);
    const end = Math.min(next, high);
    if (start >= end) continue;
    const child = node.readUInt16LE(at + 8) * 2 ** 32 + node.readUInt32LE(at + 4);
    if (walk.visited.has(child)) throw ext.damaged(`extent tree block ${child} is reused`, what);
    walk.visited.add(child);
    const block = await ext.readBlocks(child, 1, what);
    await walkNode(walk, block, depth - 1, start, end);
  }
}

/** Adds the leaf's extents, cut to [low, high); unwritten extents are holes. */
function addLeaf(walk: Walk, node: Buffer, entries: number, low: number, high: number): void {
  const { ext, what, runs } = walk;
  let previousEnd = 0;
  for (let i = 0; i < entries; i++) {
    const at = HEADER_SIZE + i * ENTRY_SIZE;
    const first = node.readUInt32LE(at);
    const rawLength = node.readUInt16LE(at + 4);
    const unwritten = rawLength > MAX_INITIALIZED_LENGTH;
    const length = unwritten ? rawLength - MAX_INITIALIZED_LENGTH : rawLength;
    const physical = node.readUInt16LE(at + 6) * 2 ** 32 + node.readUInt32LE(at + 8);
    if (length === 0 || first < previousEnd) {
      throw ext.damaged('extents are empty, overlapping or out of order', what);
    }
    previousEnd = first + length;
    ext.checkBlocks(physical, length, what);
    const start = Math.max(first, low);
    const end = Math.min(first + length, high);
    if (unwritten || start >= end) continue;
    runs.push({ logical: start, physical: physical + (start - first), count: end - start });
  }
}
