import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { random } from '../../test/fixtures/mutate.js';
import { describeOsRelease, parseOsRelease } from './os-release.js';

const DIR = resolve('test/data/guest/os-release');

/** What os-release says, as bash reads it: the judge for files that are valid shell. */
async function sourcedByBash(file: string): Promise<Map<string, string>> {
  const environment = async (script: string): Promise<Map<string, string>> => {
    const { stdout } = await execa('env', [
      '-i',
      'bash',
      '-c',
      `set -a; ${script} env -0`,
      'bash',
      file,
    ]);
    return new Map(
      stdout
        .split('\0')
        .filter((entry) => entry !== '')
        .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
    );
  };
  const before = await environment('');
  const after = await environment('. "$1";');
  return new Map([...after].filter(([key, value]) => before.get(key) !== value));
}

const parse = (text: string): Record<string, string> => Object.fromEntries(parseOsRelease(text));

describe('parseOsRelease on real os-release files', () => {
  const files = readdirSync(DIR).filter((name) => name !== 'SOURCES.md');

  it('has the distributions it should', () => {
    expect(files.sort()).toEqual(
      [
        'alpine',
        'amazon2023',
        'arch',
        'centos7',
        'debian12',
        'debian13',
        'fedora42',
        'opensuse15',
        'raspbian7',
        'rhel9',
        'rocky9',
        'sles12',
        'ubuntu24',
      ].sort(),
    );
  });

  it.each(files)('reads %s as bash does', async (name) => {
    const path = join(DIR, name);
    expect(parseOsRelease(readFileSync(path, 'utf8'))).toEqual(await sourcedByBash(path));
  });

  it.each([
    ['debian12', 'Debian GNU/Linux 12 (bookworm)', 'debian', '12'],
    ['debian13', 'Debian GNU/Linux 13 (trixie)', 'debian', '13'],
    ['ubuntu24', 'Ubuntu 24.04.3 LTS', 'ubuntu', '24.04'],
    ['fedora42', 'Fedora Linux 42 (Forty Two)', 'fedora', '42'],
    ['rhel9', 'Red Hat Enterprise Linux 9.6 (Plow)', 'rhel', '9.6'],
    ['rocky9', 'Rocky Linux 9.3 (Blue Onyx)', 'rocky', '9.3'],
    ['centos7', 'CentOS Linux 7 (Core)', 'centos', '7'],
    ['opensuse15', 'openSUSE Leap 15.2', 'opensuse-leap', '15.2'],
    ['sles12', 'SUSE Linux Enterprise Server 12 SP1', 'sles', '12.1'],
    ['alpine', 'Alpine Linux v3.23', 'alpine', '3.23.2'],
    ['arch', 'Arch Linux', 'arch', null],
    ['amazon2023', 'Amazon Linux 2023', 'amzn', '2023'],
    ['raspbian7', 'Raspbian GNU/Linux 7 (wheezy)', 'raspbian', '7'],
  ])('describes %s', (file, name, id, version) => {
    const fields = parseOsRelease(readFileSync(join(DIR, file), 'utf8'));
    expect(describeOsRelease(fields)).toEqual({ name, id, version });
  });

  it('reads this machine /etc/os-release as bash does', async () => {
    expect(parseOsRelease(readFileSync('/etc/os-release', 'utf8'))).toEqual(
      await sourcedByBash('/etc/os-release'),
    );
  });
});

describe('parseOsRelease follows the shell quoting of os-release(5)', () => {
  it('takes quoted and unquoted values, skipping comments and blank lines', () => {
    expect(
      parse('# a comment\n\nNAME="Foo Linux"\n  ID=foo\nVERSION=\'1 (One)\'\n; also a comment\n'),
    ).toEqual({ NAME: 'Foo Linux', ID: 'foo', VERSION: '1 (One)' });
  });

  it('unescapes as the shell does', () => {
    expect(parse('A="say \\"hi\\" \\$HOME \\`x\\` \\\\ \\n"')).toEqual({
      A: 'say "hi" $HOME `x` \\ \\n',
    });
    expect(parse('B=\'no \\escape "here"\'')).toEqual({ B: 'no \\escape "here"' });
    expect(parse('C=a\\ b\\"c')).toEqual({ C: 'a b"c' });
  });

  it('joins adjacent quoted parts and continued lines', () => {
    expect(parse('A="one"\'two\'three\nB="x\\\ny"\nC=p\\\nq')).toEqual({
      A: 'onetwothree',
      B: 'xy',
      C: 'pq',
    });
  });

  it('trims unquoted whitespace around keys and values but keeps it inside quotes', () => {
    expect(parse('KEY =  value  \nQ="  kept  "  \nE=\\ \n')).toEqual({
      KEY: 'value',
      Q: '  kept  ',
      E: ' ',
    });
  });

  it('reads CRLF line ends, a last line without one, and empty values', () => {
    expect(parse('A=1\r\nB="2"\r\nC=\r\nD=')).toEqual({ A: '1', B: '2', C: '', D: '' });
  });

  it('ignores lines without "=" and lets a later assignment win', () => {
    expect(parse('garbage line\nID=one\nID=two\n')).toEqual({ ID: 'two' });
  });

  it('does not continue a comment over a line ending in a backslash (systemd v254)', () => {
    expect(parse('# comment \\\nA=1\n')).toEqual({ A: '1' });
  });

  it('runs nothing: command substitutions stay text', () => {
    expect(parse('A=$(reboot)\nB="`id`"')).toEqual({ A: '$(reboot)', B: '`id`' });
  });

  it('answers random bytes with a map, quickly', () => {
    const rand = random(9_300_000);
    const alphabet = ['=', '"', "'", '\\', '\n', '\r', '#', ';', ' ', 'A', 'é', '\0'];
    for (let i = 0; i < 500; i++) {
      const text = Array.from(
        { length: Math.floor(rand() * 200) },
        () => alphabet[Math.floor(rand() * alphabet.length)],
      ).join('');
      expect(parseOsRelease(text)).toBeInstanceOf(Map);
    }
  });
});

describe('describeOsRelease', () => {
  it('falls back as os-release(5) says when fields are missing', () => {
    expect(describeOsRelease(new Map())).toEqual({ name: 'Linux', id: 'linux', version: null });
    expect(
      describeOsRelease(
        new Map([
          ['NAME', 'Foo'],
          ['VERSION', '2 (Two)'],
          ['PRETTY_NAME', ' '],
        ]),
      ),
    ).toEqual({ name: 'Foo 2 (Two)', id: 'linux', version: null });
  });
});
