import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sh } from '../../test/fixtures/cache.js';
import { mutate, random } from '../../test/fixtures/mutate.js';
import { type Architecture, executableArchitecture } from './executable-arch.js';

const DATA = 'test/data/guest/executables';
const SYSTEMD_BOOT = '/usr/lib/systemd/boot/efi/systemd-bootx64.efi';

/** What file(1) says the CPU is, mapped to Ferry's names: the independent judge. */
async function fileSays(path: string): Promise<Architecture | null> {
  const description = await sh('file', ['-bL', path]);
  if (/MSB/.test(description)) return null;
  if (/x86-64/.test(description)) return 'x86_64';
  if (/Intel 80386|Intel i386/.test(description)) return 'x86';
  if (/aarch64/i.test(description)) return 'arm64';
  return null;
}

const thisMachine: Architecture | null =
  process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'arm64' : null;

describe('executableArchitecture on this machine', () => {
  it.each(['/bin/sh', '/usr/bin/env'])('reads %s as the machine it runs on', async (path) => {
    const architecture = executableArchitecture(readFileSync(path));
    expect(architecture).toBe(thisMachine);
    expect(architecture).toBe(await fileSays(path));
  });

  it.skipIf(!existsSync(SYSTEMD_BOOT))('reads systemd-boot, a PE32+ UEFI image', async () => {
    expect(executableArchitecture(readFileSync(SYSTEMD_BOOT))).toBe('x86_64');
    expect(await fileSays(SYSTEMD_BOOT)).toBe('x86_64');
  });
});

describe('executableArchitecture on binaries of other CPUs', () => {
  it.each([
    ['exe_simple32.elf', 'x86'],
    ['aarch64_super_stripped.elf', 'arm64'],
    ['aarch64_be_gnu_hash.so.elf', null],
    ['simple_riscv_gcc.o.elf', null],
    ['w32.exe.head', 'x86'],
    ['w64-arm.exe.head', 'arm64'],
  ] as const)('reads %s as %s, as file(1) does', async (name, expected) => {
    const path = join(DATA, name);
    expect(executableArchitecture(readFileSync(path))).toBe(expected);
    expect(await fileSays(path)).toBe(expected);
  });

  it('answers null for what is not an executable or is cut short', () => {
    const elf = readFileSync(join(DATA, 'aarch64_super_stripped.elf'));
    const pe = readFileSync(join(DATA, 'w64-arm.exe.head'));
    expect(executableArchitecture(readFileSync('test/data/guest/os-release/debian12'))).toBeNull();
    expect(executableArchitecture(Buffer.alloc(0))).toBeNull();
    expect(executableArchitecture(elf.subarray(0, 19))).toBeNull();
    expect(executableArchitecture(pe.subarray(0, 0x40))).toBeNull();
    const noPe = Buffer.from(pe);
    noPe.writeUInt32LE(0xfffffff0, 0x3c);
    expect(executableArchitecture(noPe)).toBeNull();
  });

  it('answers every mutation of real headers without throwing', () => {
    const rand = random(9_400_000);
    for (const name of ['exe_simple32.elf', 'w32.exe.head', 'w64-arm.exe.head']) {
      const original = readFileSync(join(DATA, name));
      for (let i = 0; i < 300; i++) {
        const mutation = mutate(rand, original.length, [[0, 0x200]]);
        const copy = Buffer.from(original.subarray(0, mutation.size));
        for (const [at, value] of mutation.patches) {
          if (at < copy.length)
            copy.writeUInt8(value >= 0 ? value : copy.readUInt8(at) ^ (1 << (-value - 1)), at);
        }
        expect(['x86', 'x86_64', 'arm64', null]).toContain(executableArchitecture(copy));
      }
    }
  });
});
