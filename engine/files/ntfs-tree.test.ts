import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { FerryError } from '../../shared/errors.js';
import { sh } from '../../test/fixtures/cache.js';
import {
  ntfs4kSectors,
  ntfsAttributeList,
  ntfsFragmentedMft,
  ntfsinfoDataRuns,
  ntfsWithClusterSize,
} from '../../test/fixtures/ntfs.js';
import { bufferSource, withImage } from '../../test/fixtures/tables.js';
import type { DetectedFilesystem } from '../filesystems/types.js';
import {
  clusterVolume,
  COMPACTED,
  SYSTEM32_STUBS,
  windowsVolume,
} from '../../test/fixtures/ntfs-trees.js';
import { openNtfsTree } from './ntfs-tree.js';
import type { FileTree } from './types.js';
import { countingSource } from '../../test/fixtures/counting-source.js';
import { ferryFailure } from '../../test/fixtures/ferry-failure.js';

const NTFS: DetectedFilesystem = { type: 'ntfs', label: null, uuid: null, size: null };
const SOFTWARE = '/Windows/System32/config/SOFTWARE';

function withTree<T>(image: string, use: (tree: FileTree) => Promise<T>): Promise<T> {
  return withImage(image, async (volume) => use(await openNtfsTree(volume, NTFS)));
}

/** ntfscat, the independent reader: the file's bytes as ntfs-3g decodes them. */
async function ntfscat(image: string, path: string): Promise<Buffer> {
  const result = await execa('ntfscat', [image, path], {
    encoding: 'buffer',
    stripFinalNewline: false,
  });
  return Buffer.from(result.stdout);
}

/** ntfsls's names in a directory (Win32 and POSIX names, system files included), without "." and "..". */
async function ntfsls(image: string, path: string): Promise<string[]> {
  const text = await sh('ntfsls', ['-a', '-s', '-p', path, image]);
  return text.split('\n').filter((name) => name !== '' && name !== '.' && name !== '..');
}

interface DataFacts {
  resident: boolean;
  /** Attribute flags of the first $DATA piece: 0x0001 compressed, 0x8000 sparse. */
  flags: number;
  /** MFT records holding a piece of $DATA. */
  pieces: number;
  attributeList: boolean;
  runs: { lcn: number | null }[];
}

/** What `ntfsinfo -v` says about a file's unnamed $DATA: how the fixture exercises the reader. */
async function dataFacts(image: string, path: string): Promise<DataFacts> {
  const text = await sh('ntfsinfo', ['-v', '-F', path, image]);
  const data = text.split('Dumping attribute ').filter((part) => part.startsWith('$DATA'));
  const first = data[0] ?? '';
  const runs = data.flatMap((part) =>
    (part.split('Runlist:')[1] ?? '')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields.length === 3 && fields[0]?.startsWith('0x'))
      .filter((fields) => fields[1] !== '<RL_NOT_MAPPED>')
      .map((fields) => ({ lcn: fields[1] === '<HOLE>' ? null : Number(fields[1]) })),
  );
  return {
    resident: /Resident:\s+Yes/.test(first),
    flags: Number(/Attribute flags:\s+(0x[0-9a-f]+)/.exec(first)?.[1]),
    pieces: data.length,
    attributeList: text.includes('Dumping attribute $ATTRIBUTE_LIST'),
    runs,
  };
}

async function expectFerryError(work: Promise<unknown>, code: string): Promise<FerryError> {
  const error = await ferryFailure(work);
  expect(error.code).toBe(code);
  expect(error.toLine()).not.toContain('\n');
  return error;
}

describe('openNtfsTree on a Windows-like volume made through ntfs-3g', () => {
  it('reads SOFTWARE, hundreds of runs spread over extent records, as written and as ntfscat reads it', async () => {
    const { image, files } = await windowsVolume();
    const facts = await dataFacts(image, SOFTWARE);
    expect(facts.attributeList).toBe(true);
    expect(facts.pieces).toBeGreaterThan(1);
    expect(facts.runs.length).toBeGreaterThan(300);
    await withTree(image, async (tree) => {
      const content = await tree.readFile(SOFTWARE);
      expect(content?.equals(files.get(SOFTWARE)!)).toBe(true);
      expect(content?.equals(await ntfscat(image, SOFTWARE))).toBe(true);
    });
  });

  it('reads every file put in: resident, contiguous, compressed, sparse', async () => {
    const { image, files } = await windowsVolume();
    expect(await dataFacts(image, '/Windows/win.ini')).toMatchObject({ resident: true });
    const compressed = await dataFacts(image, '/Windows/Logs/setup.log');
    expect(compressed.flags & 0x0001).toBe(1);
    expect(compressed.runs.some((run) => run.lcn === null)).toBe(true);
    const sparse = await dataFacts(image, '/Windows/Temp/sparse.dat');
    expect(sparse.flags & 0x8000).toBe(0x8000);
    expect(sparse.runs.filter((run) => run.lcn === null).length).toBeGreaterThan(1);

    await withTree(image, async (tree) => {
      for (const [path, content] of files) {
        if (path === COMPACTED) continue;
        const read = await tree.readFile(path);
        expect(read?.equals(content), path).toBe(true);
        if (!path.includes('/api-ms-')) {
          expect(read?.equals(await ntfscat(image, path)), path).toBe(true);
        }
      }
    });
  });

  it('finds names ignoring case, and by their DOS names', async () => {
    const { image, files } = await windowsVolume();
    await withTree(image, async (tree) => {
      const same = async (path: string, original: string): Promise<void> => {
        expect((await tree.readFile(path))?.equals(files.get(original)!), path).toBe(true);
      };
      await same('/windows/SYSTEM32/Config/software', SOFTWARE);
      await same('WINDOWS/system32/NTOSKRNL.EXE', '/Windows/System32/ntoskrnl.exe');
      await same('/PROGRA~1/app/README.TXT', '/Program Files/App/readme.txt');
      await same('/Windows/./Temp/../win.ini', '/Windows/win.ini');
      const last = `api-ms-win-core-${String(SYSTEM32_STUBS - 1).padStart(4, '0')}-l1-1-0.dll`;
      await same(`/windows/system32/${last.toUpperCase()}`, `/Windows/System32/${last}`);
    });
  });

  it('lists directories as ntfsls does, without DOS aliases', async () => {
    const { image } = await windowsVolume();
    await withTree(image, async (tree) => {
      const root = await tree.list('/');
      expect(root).toContain('Program Files');
      expect(root).not.toContain('PROGRA~1');
      expect(new Set(root)).toEqual(new Set(await ntfsls(image, '/')));
      const system32 = await tree.list('/windows/system32');
      expect(system32).toHaveLength(SYSTEM32_STUBS + 3);
      expect(new Set(system32)).toEqual(new Set(await ntfsls(image, '/Windows/System32')));
      expect(await tree.list('/Windows/System32/config')).toEqual(['SOFTWARE']);
    });
  });

  it('answers null for missing paths, directories read as files, files listed and a junction', async () => {
    const { image } = await windowsVolume();
    await withTree(image, async (tree) => {
      expect(await tree.readFile('/Windows/System32/config/SAM')).toBeNull();
      expect(await tree.readFile('/Windows/System32')).toBeNull();
      expect(await tree.readFile('/Windows/win.ini/inside')).toBeNull();
      expect(await tree.list('/Windows/win.ini')).toBeNull();
      expect(await tree.list('/Nowhere')).toBeNull();
      expect(await tree.list('/')).toContain('Documents and Settings');
      expect(await tree.list('/Documents and Settings')).toBeNull();
      expect(await tree.readFile('/Documents and Settings/desktop.ini')).toBeNull();
    });
  });

  it('refuses a file whose content lies elsewhere (compacted by WOF)', async () => {
    const { image } = await windowsVolume();
    await withTree(image, async (tree) => {
      const refusal = await expectFerryError(tree.readFile(COMPACTED), 'UNSUPPORTED');
      expect(refusal.message).toContain('0x80000017');
      expect(await tree.list('/Windows/System32')).toContain('compact.dll');
    });
  });

  it('refuses a file larger than maxBytes before reading its content', async () => {
    const { image } = await windowsVolume();
    const bytes = await readFile(image);
    const counted = countingSource(bufferSource(bytes, image));
    const tree = await openNtfsTree(counted.source, NTFS);
    counted.reset();
    const refusal = await expectFerryError(tree.readFile(SOFTWARE, 1024 * 1024), 'UNSUPPORTED');
    expect(refusal.message).toContain('2621440');
    expect(counted.total()).toBeLessThan(256 * 1024);
    await expectFerryError(tree.readFile('/Windows/win.ini', 10), 'UNSUPPORTED');
  });

  it('reads the head of a file, and only the clusters that hold it', async () => {
    const { image, files } = await windowsVolume();
    const counted = countingSource(bufferSource(await readFile(image), image));
    const tree = await openNtfsTree(counted.source, NTFS);
    const kernel = '/Windows/System32/ntoskrnl.exe';
    // SOFTWARE's head crosses dozens of one-cluster runs; setup.log's runs from compressed units
    // into stored ones, sparse.dat's from holes into its first island.
    for (const [path, length] of [
      [SOFTWARE, 100_000],
      [SOFTWARE, 1],
      [kernel, 4096],
      ['/Windows/Logs/setup.log', 300_000],
      ['/Windows/Temp/sparse.dat', 1024 * 1024 + 6000],
      ['/Windows/win.ini', 5],
      ['/Windows/win.ini', 1_000_000],
      ['/Program Files/App/readme.txt', 1_000_000],
    ] as const) {
      const whole = files.get(path)!;
      counted.reset();
      const head = await tree.readHead!(path, length);
      expect(head?.equals(whole.subarray(0, length)), `${path} (${length})`).toBe(true);
      expect(counted.total(), path).toBeLessThan(Math.min(length, whole.length) + 256 * 1024);
    }
    counted.reset();
    expect((await tree.readHead!('/WINDOWS/system32/NTOSKRNL.EXE', 2))?.toString()).toBe('MZ');
    expect(counted.total()).toBeLessThan(files.get(kernel)!.length / 4);
    expect(await tree.readHead!('/Windows/System32/config/SAM', 10)).toBeNull();
    expect(await tree.readHead!('/Windows/System32', 10)).toBeNull();
    expect(await tree.readHead!('/Documents and Settings/desktop.ini', 10)).toBeNull();
    await expectFerryError(tree.readHead!(COMPACTED, 2), 'UNSUPPORTED');
  });

  it.each([512, 65536] as const)('reads a volume of %i-byte clusters', async (clusterSize) => {
    const { image, files } = await clusterVolume(clusterSize);
    await withTree(image, async (tree) => {
      for (const [path, content] of files) {
        expect((await tree.readFile(path))?.equals(content), path).toBe(true);
      }
      expect(new Set(await tree.list('/many'))).toEqual(new Set(await ntfsls(image, '/many')));
    });
  });
});

describe('openNtfsTree on the mkntfs + ntfscp fixtures', () => {
  const fixtures = {
    '4096-byte sectors and 4 KiB records': ntfs4kSectors,
    '128 KiB clusters': () => ntfsWithClusterSize(131072),
    'a sparse file with a non-resident attribute list': ntfsAttributeList,
  };

  it.each(Object.entries(fixtures))('reads every file of %s as ntfscat does', async (_, make) => {
    const image = await make();
    await withTree(image, async (tree) => {
      const names = await ntfsls(image, '/');
      expect(new Set(await tree.list('/'))).toEqual(new Set(names));
      for (const name of names.filter((n) => !n.startsWith('$'))) {
        const content = await tree.readFile(`/${name}`);
        expect(content?.equals(await ntfscat(image, `/${name}`)), name).toBe(true);
      }
    });
  });

  it('follows a fragmented $MFT to records in its later fragments', async () => {
    const image = await ntfsFragmentedMft();
    expect((await ntfsinfoDataRuns(image, 0)).length).toBeGreaterThan(2);
    await withTree(image, async (tree) => {
      const names = await ntfsls(image, '/');
      expect(new Set(await tree.list('/'))).toEqual(new Set(names));
      expect((await tree.readFile('/fill.bin'))?.equals(await ntfscat(image, '/fill.bin'))).toBe(
        true,
      );
      for (let i = 1; i <= 200; i++) {
        expect((await tree.readFile(`/SMALL${i}.TXT`))?.toString()).toBe(`small file ${i}\n`);
      }
    });
  });
});

describe('openNtfsTree on damage', () => {
  async function damagedTree(change: (bytes: Buffer) => void): Promise<FileTree> {
    const bytes = await readFile((await windowsVolume()).image);
    change(bytes);
    return openNtfsTree(bufferSource(bytes), NTFS);
  }

  it('refuses an index block whose signature is gone', async () => {
    const tree = await damagedTree((bytes) => {
      for (let at = 0; at < bytes.length; at += 4096) {
        if (bytes.toString('latin1', at, at + 4) === 'INDX') bytes.write('XXXX', at, 'latin1');
      }
    });
    await expectFerryError(tree.list('/Windows/System32'), 'BAD_FILESYSTEM');
  });

  it('refuses a directory entry whose record was reused since', async () => {
    const tree = await damagedTree((bytes) => {
      const record = recordHolding(bytes, 'ntoskrnl.exe');
      bytes.writeUInt16LE(bytes.readUInt16LE(record + 0x10) + 1, record + 0x10);
    });
    const refusal = await expectFerryError(
      tree.readFile('/Windows/System32/ntoskrnl.exe'),
      'BAD_FILESYSTEM',
    );
    expect(refusal.message).toContain('stale');
  });

  it('refuses a volume that is not NTFS', async () => {
    await expectFerryError(openNtfsTree(bufferSource(Buffer.alloc(65536)), NTFS), 'BAD_FILESYSTEM');
    await expectFerryError(
      openNtfsTree(bufferSource(Buffer.alloc(65536)), { ...NTFS, type: 'ext4' }),
      'UNSUPPORTED',
    );
  });
});

/** The offset of the 1 KiB MFT record whose $FILE_NAME holds `name`. */
function recordHolding(bytes: Buffer, name: string): number {
  const needle = Buffer.from(name, 'utf16le');
  for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) {
    const record = at - (at % 1024);
    if (bytes.toString('latin1', record, record + 4) === 'FILE') return record;
  }
  throw new Error(`no MFT record holds ${name}`);
}
