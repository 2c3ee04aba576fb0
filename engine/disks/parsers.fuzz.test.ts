/**
 * Every parser here reads what a tool printed, so each is fed mutated real outputs: it must
 * either return or throw a FerryError, never a TypeError, a RangeError or a hang.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isFerryError } from '../../shared/errors.js';
import { decodeOutput } from './decode.js';
import { readDiskutilInfo, readDiskutilList } from './diskutil.js';
import { disksFromLsblk } from './linux.js';
import { parseLsblk } from './lsblk.js';
import { disksFromDiskutil } from './macos.js';
import { parsePlist } from './plist.js';
import { noSysfs } from './sysfs.js';
import { disksFromStorage, parseStorageJson } from './windows-cim.js';
import { disksFromWmic, parseWmic, parseWmicLinks } from './wmic.js';

const ROUNDS = 40;

/** mulberry32: the same mutations on every run, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY = [
  '"',
  '<',
  '>',
  '{',
  '}',
  '[',
  ']',
  '\0',
  '\n',
  '=',
  ',',
  '&',
  '\\x',
  '</dict>',
  '<array>',
  '-1',
  '1e400',
];

function mutateText(text: string, next: () => number): string {
  const at = () => Math.floor(next() * (text.length + 1));
  switch (Math.floor(next() * 5)) {
    case 0:
      return text.slice(0, at());
    case 1: {
      const start = at();
      return text.slice(0, start) + text.slice(start + Math.floor(next() * 200));
    }
    case 2: {
      const start = at();
      return text.slice(0, start) + text.slice(start, start + 300) + text.slice(start);
    }
    case 3: {
      const start = at();
      return text.slice(0, start) + NASTY[Math.floor(next() * NASTY.length)] + text.slice(start);
    }
    default: {
      const chars = [...text];
      for (let i = 0; i < 8; i++)
        chars[Math.floor(next() * chars.length)] = String.fromCharCode(Math.floor(next() * 128));
      return chars.join('');
    }
  }
}

const ODD_VALUES: unknown[] = [
  null,
  -1,
  1.5,
  2 ** 60,
  '',
  'x',
  '1.8T',
  true,
  [],
  {},
  [null],
  { children: 5 },
];

/** Replaces values deep in a JSON document with values of other types. */
function mutateJson(value: unknown, next: () => number): unknown {
  if (next() < 0.08) return ODD_VALUES[Math.floor(next() * ODD_VALUES.length)];
  if (Array.isArray(value)) return value.map((item) => mutateJson(item, next));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, mutateJson(item, next)]),
    );
  }
  return value;
}

function survives(parse: () => unknown): void {
  try {
    parse();
  } catch (error) {
    if (!isFerryError(error)) throw error;
  }
}

function samples(folder: string, filter: (name: string) => boolean): [string, string][] {
  const dir = `test/data/disks/${folder}`;
  return readdirSync(dir)
    .filter(filter)
    .map((name) => [name, decodeOutput(readFileSync(`${dir}/${name}`))]);
}

describe('parsers survive mutated tool output', () => {
  it.each(samples('linux', () => true))('lsblk: %s', async (_name, text) => {
    const next = random(text.length);
    const inputs = Array.from({ length: ROUNDS }, () => mutateText(text, next));
    if (text.trimStart().startsWith('{') || text.startsWith('\uFEFF')) {
      const document: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
      for (let i = 0; i < ROUNDS; i++) inputs.push(JSON.stringify(mutateJson(document, next)));
    }
    for (const input of inputs) {
      try {
        await disksFromLsblk(parseLsblk(input), noSysfs);
      } catch (error) {
        if (!isFerryError(error)) throw error;
      }
    }
  });

  it.each(samples('macos', () => true))('plist and diskutil: %s', (_name, text) => {
    const next = random(text.length);
    for (let i = 0; i < ROUNDS; i++) {
      const input = mutateText(text, next);
      survives(() => {
        const plist = parsePlist(input);
        const list = readDiskutilList(plist);
        disksFromDiskutil({ list, infos: new Map(), root: null });
      });
      survives(() => {
        const info = readDiskutilInfo(parsePlist(input));
        disksFromDiskutil({ list: { disks: [] }, infos: new Map([[info.id, info]]), root: info });
      });
    }
  });

  it.each(samples('windows', (name) => name.startsWith('wmic')))('wmic: %s', (_name, text) => {
    const next = random(text.length);
    for (let i = 0; i < ROUNDS; i++) {
      const input = mutateText(text, next);
      survives(() => parseWmicLinks(input, 'wmic'));
      survives(() => {
        const records = parseWmic(input, 'wmic');
        disksFromWmic({
          drives: records,
          partitions: records,
          letters: [],
          logicalDisks: records,
          physicalDisks: records,
          systemDrive: 'C:',
        });
      });
    }
  });

  it.each(samples('windows', (name) => name.startsWith('cim')))(
    'PowerShell JSON: %s',
    (_name, text) => {
      const next = random(text.length);
      const document: unknown = JSON.parse(text);
      const combined = { disks: document, partitions: document, volumes: document };
      for (let i = 0; i < ROUNDS; i++) {
        survives(() =>
          disksFromStorage(parseStorageJson(mutateText(JSON.stringify(combined), next), 'ps')),
        );
        survives(() =>
          disksFromStorage(parseStorageJson(JSON.stringify(mutateJson(combined, next)), 'ps')),
        );
      }
    },
  );

  it('the fuzzing reaches the parsers (a sanity check of the harness)', () => {
    expect(() => parseLsblk('{"blockdevices": 5}')).toThrow(/blockdevices/);
  });
});
