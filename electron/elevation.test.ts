import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { FerryError } from '../shared/errors.js';
import {
  appleScriptString,
  bridgeArgs,
  elevatedLaunch,
  ELEVATION_PROMPT,
  launchOutcome,
  macosShellCommand,
  powerShellQuote,
  ROOT_CANNOT_RUN,
  shellQuote,
  type ElevationTarget,
} from './elevation.js';

// Paths with every character a shell or a quoting rule could trip on.
const posix = process.platform !== 'win32';
const awkward = '/opt/My Apps/it\'s "Ferry" $HOME `id` a=b\\c';

function target(execPath: string): ElevationTarget {
  return {
    execPath,
    bridgeScript: `${awkward}/bridge.js`,
    hostScript: `${awkward}/host.js`,
    endpoint: `${awkward}/host.sock`,
    tokenFile: `${awkward}/token`,
  };
}

/** Stands in for the Electron binary: records its arguments and ELECTRON_RUN_AS_NODE. */
async function recordingBinary(): Promise<{ path: string; record: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-elevation-test-'));
  const record = join(dir, 'record.json');
  const path = join(dir, "fake electron's binary");
  await writeFile(
    path,
    `#!${process.execPath}\nrequire('node:fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify({ argv: process.argv.slice(2), runAsNode: process.env.ELECTRON_RUN_AS_NODE ?? null }));\n`,
  );
  await chmod(path, 0o755);
  return { path, record };
}

async function waitForFile(path: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      return await readFile(path, 'utf8');
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`${path} never appeared`);
}

describe('Linux: pkexec', () => {
  it.runIf(posix)('runs the bridge as Node, every path passed verbatim', async () => {
    const binary = await recordingBinary();
    const launch = elevatedLaunch('linux', target(binary.path));
    expect(launch.command).toBe('pkexec');
    expect(launch.args[0]).toBe('/bin/sh');
    // What pkexec would run as root, run here as we are: the same words reach the binary.
    const run = spawnSync(launch.args[0]!, launch.args.slice(1), {
      env: { PATH: '/usr/bin:/bin' },
    });
    expect(run.status).toBe(0);
    const recorded = JSON.parse(await readFile(binary.record, 'utf8'));
    expect(recorded).toEqual({ argv: bridgeArgs(target(binary.path)), runAsNode: '1' });
  });

  it.runIf(posix)(
    'says so, rather than exit 126 like a dismissed prompt, when root cannot run the binary',
    async () => {
      const binary = await recordingBinary();
      await chmod(binary.path, 0o644);
      const launch = elevatedLaunch('linux', target(binary.path));
      const run = spawnSync(launch.args[0]!, launch.args.slice(1), {
        env: { PATH: '/usr/bin:/bin' },
      });
      expect(run.status).toBe(ROOT_CANNOT_RUN);
      expect(run.stderr.toString()).toContain(`root cannot run ${binary.path}`);
      expect(launchOutcome('linux', run.status, run.stderr.toString())).toBe('failed');
    },
  );

  it('reads exit status 126 as a dismissed prompt', () => {
    expect(launchOutcome('linux', 126, '')).toBe('declined');
    expect(launchOutcome('linux', 127, 'Error executing command as another user')).toBe('failed');
    expect(launchOutcome('linux', 1, '')).toBe('failed');
  });
});

describe('macOS: osascript with administrator privileges', () => {
  it('asks with a prompt and runs the shell command in the background', () => {
    const launch = elevatedLaunch('darwin', target('/Applications/Ferry.app/Contents/MacOS/Ferry'));
    expect(launch.command).toBe('/usr/bin/osascript');
    expect(launch.args[0]).toBe('-e');
    const script = launch.args[1]!;
    expect(script).toMatch(/ with administrator privileges$/);
    expect(script).toContain(`with prompt ${appleScriptString(ELEVATION_PROMPT)}`);
    // The AppleScript literal holds exactly the shell command.
    const literal = /^do shell script "((?:[^"\\]|\\.)*)"/.exec(script)![1]!;
    expect(literal.replace(/\\(.)/g, '$1')).toBe(
      macosShellCommand(target('/Applications/Ferry.app/Contents/MacOS/Ferry')),
    );
  });

  it.runIf(posix)(
    'builds a shell command that passes every path verbatim and detaches',
    async () => {
      const binary = await recordingBinary();
      const command = macosShellCommand(target(binary.path));
      expect(command).toMatch(/^ELECTRON_RUN_AS_NODE=1 /);
      expect(command).toMatch(/<\/dev\/null >\/dev\/null 2>&1 &$/);
      // `do shell script` runs its text with /bin/sh; so does this test.
      const run = spawnSync('/bin/sh', ['-c', command], { env: { PATH: '/usr/bin:/bin' } });
      expect(run.status).toBe(0);
      const recorded = JSON.parse(await waitForFile(binary.record));
      expect(recorded).toEqual({ argv: bridgeArgs(target(binary.path)), runAsNode: '1' });
    },
  );

  it('reads AppleScript error -128 as a cancelled prompt', () => {
    expect(launchOutcome('darwin', 1, '0:123: execution error: User canceled. (-128)')).toBe(
      'declined',
    );
    expect(
      launchOutcome(
        'darwin',
        1,
        'execution error: The administrator user name or password was incorrect. (-60007)',
      ),
    ).toBe('failed');
  });
});

describe('Windows: UAC through PowerShell', () => {
  const execPath = "C:\\Program Files\\Ferry's\\Ferry.exe";
  const windowsTarget: ElevationTarget = {
    execPath,
    bridgeScript:
      'C:\\Program Files\\Ferry\\resources\\app.asar\\dist\\electron\\elevated-bridge.js',
    hostScript: 'C:\\Program Files\\Ferry\\resources\\app.asar\\dist\\engine\\rpc\\host.js',
    endpoint: '\\\\.\\pipe\\ferry-elevation-0123abcd',
    tokenFile: 'C:\\Users\\Ann\u2019s\\AppData\\Local\\Temp\\ferry-elevation-x\\token',
  };
  const decode = (base64: string): string => Buffer.from(base64, 'base64').toString('utf16le');

  it('prompts with Start-Process -Verb RunAs and maps a No to 1223', () => {
    const launch = elevatedLaunch('win32', windowsTarget);
    expect(launch.command).toBe('powershell.exe');
    expect(launch.args.slice(0, -2)).toEqual([
      '-NoProfile',
      '-NonInteractive',
      '-ExecutionPolicy',
      'Bypass',
    ]);
    expect(launch.args.at(-2)).toBe('-EncodedCommand');
    const prompt = decode(launch.args.at(-1)!);
    expect(prompt).toContain("Start-Process -FilePath 'powershell.exe' -Verb RunAs");
    expect(prompt).toContain('exit 1223');
  });

  it('sets ELECTRON_RUN_AS_NODE inside the elevated PowerShell and quotes every path', () => {
    const prompt = decode(elevatedLaunch('win32', windowsTarget).args.at(-1)!);
    const inner = /'-EncodedCommand','([A-Za-z0-9+/=]+)'/.exec(prompt)![1]!;
    const elevated = decode(inner);
    expect(elevated).toContain("$env:ELECTRON_RUN_AS_NODE = '1'");
    expect(elevated).toContain(
      `& 'C:\\Program Files\\Ferry''s\\Ferry.exe' ${powerShellQuote(windowsTarget.bridgeScript)} '--connect' '\\\\.\\pipe\\ferry-elevation-0123abcd'`,
    );
    // A typographic apostrophe ends a PowerShell string too, so it is doubled like '.
    expect(elevated).toContain('Ann\u2019\u2019s');
  });

  it('reads 1223 as a No at the UAC prompt', () => {
    expect(launchOutcome('win32', 1223, '')).toBe('declined');
    expect(launchOutcome('win32', 1, 'This command cannot be run')).toBe('failed');
  });
});

describe('quoting', () => {
  it.runIf(posix)('quotes for the POSIX shell', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    const run = spawnSync('/bin/sh', ['-c', `printf %s ${shellQuote(awkward)}`]);
    expect(run.stdout.toString()).toBe(awkward);
  });

  it('escapes backslash and double quote for AppleScript', () => {
    expect(appleScriptString('a "b" \\c')).toBe('"a \\"b\\" \\\\c"');
  });
});

it('refuses platforms without a prompt', () => {
  expect(() => elevatedLaunch('freebsd', target('/usr/local/bin/ferry'))).toThrow(FerryError);
});
