/**
 * How each platform starts the engine host with administrator rights. The elevated side is the
 * bridge (elevated-bridge.ts), run by the Electron binary as Node: it connects back to an
 * endpoint this process listens on, proves itself with a one-time token and starts the host.
 * The prompts cannot carry a stdio stream (osascript and UAC detach what they start), so the
 * stream goes over that endpoint on every platform.
 */
import { FerryError } from '../shared/errors.js';

export interface ElevationTarget {
  /** The Electron binary (process.execPath); ELECTRON_RUN_AS_NODE makes it Node. */
  execPath: string;
  bridgeScript: string;
  hostScript: string;
  /** A Unix socket path or a Windows named pipe, listened on by this process. */
  endpoint: string;
  /** Holds the token; readable by this user and administrators only. */
  tokenFile: string;
}

export interface LaunchCommand {
  command: string;
  args: string[];
}

/** What became of the prompt when the launcher exited before the bridge connected. */
export type LaunchOutcome = 'declined' | 'failed';

export const ELEVATION_PROMPT = 'Ferry needs administrator rights to read the disk.';

/** The launcher that asks for rights and starts the bridge elevated. */
export function elevatedLaunch(platform: NodeJS.Platform, target: ElevationTarget): LaunchCommand {
  switch (platform) {
    case 'linux':
      return pkexecLaunch(target);
    case 'darwin':
      return osascriptLaunch(target);
    case 'win32':
      return uacLaunch(target);
    default:
      throw new FerryError('UNSUPPORTED', `reading disks on ${platform} is not supported`, {
        where: 'administrator rights',
        hint: 'make an image of the disk with dd and open the image',
      });
  }
}

/** Tells a declined prompt from any other failure, by each launcher's own signal. */
export function launchOutcome(
  platform: NodeJS.Platform,
  exitCode: number | null,
  stderr: string,
): LaunchOutcome {
  switch (platform) {
    case 'linux':
      // pkexec: 126 when the authentication dialog was dismissed.
      return exitCode === 126 ? 'declined' : 'failed';
    case 'darwin':
      // AppleScript error -128 is "User canceled."
      return /\(-128\)/.test(stderr) ? 'declined' : 'failed';
    case 'win32':
      return exitCode === WINDOWS_CANCELLED ? 'declined' : 'failed';
    default:
      return 'failed';
  }
}

/** The bridge's own command line, after the Electron binary. */
export function bridgeArgs(target: ElevationTarget): string[] {
  return [
    target.bridgeScript,
    '--connect',
    target.endpoint,
    '--token-file',
    target.tokenFile,
    '--host',
    target.hostScript,
  ];
}

/**
 * pkexec clears the environment, so a shell sets ELECTRON_RUN_AS_NODE. The paths reach it as
 * positional parameters, never inside the script text, so no path needs quoting. The shell
 * checks the binary first: a failed exec would exit 126, which is pkexec's "dismissed".
 */
export function pkexecLaunch(target: ElevationTarget): LaunchCommand {
  return {
    command: 'pkexec',
    args: ['/bin/sh', '-c', PKEXEC_SCRIPT, target.execPath, ...bridgeArgs(target)],
  };
}

export const ROOT_CANNOT_RUN = 3;

// An AppImage's mount is private to the user who started it, so root cannot run from it.
const PKEXEC_SCRIPT = [
  `[ -x "$0" ] || { echo "root cannot run $0 (an AppImage is private to its user): install the .deb, or start Ferry as root" >&2; exit ${ROOT_CANNOT_RUN}; }`,
  'ELECTRON_RUN_AS_NODE=1 exec "$0" "$@"',
].join('\n');

/**
 * `do shell script` waits for the command's output to close, so the bridge runs in the
 * background with its streams detached; osascript returns once the user has answered.
 */
export function osascriptLaunch(target: ElevationTarget): LaunchCommand {
  const script =
    `do shell script ${appleScriptString(macosShellCommand(target))}` +
    ` with prompt ${appleScriptString(ELEVATION_PROMPT)} with administrator privileges`;
  return { command: '/usr/bin/osascript', args: ['-e', script] };
}

export function macosShellCommand(target: ElevationTarget): string {
  const words = [target.execPath, ...bridgeArgs(target)].map(shellQuote).join(' ');
  return `ELECTRON_RUN_AS_NODE=1 ${words} </dev/null >/dev/null 2>&1 &`;
}

/** ERROR_CANCELLED: the user answered No at the UAC prompt. */
export const WINDOWS_CANCELLED = 1223;

/**
 * UAC starts an elevated PowerShell that sets ELECTRON_RUN_AS_NODE (an elevated process does
 * not inherit this process's environment) and runs the bridge. Both scripts travel as
 * -EncodedCommand, so no path passes through a command-line parser.
 */
export function uacLaunch(target: ElevationTarget): LaunchCommand {
  const words = [target.execPath, ...bridgeArgs(target)].map(powerShellQuote);
  const elevated = [
    `$env:ELECTRON_RUN_AS_NODE = '1'`,
    // Node mode would attach to this hidden console and die with it.
    `$env:ELECTRON_NO_ATTACH_CONSOLE = '1'`,
    `& ${words.join(' ')}`,
  ].join('\n');
  const elevatedArgs = [
    ...POWERSHELL_ARGS,
    '-WindowStyle',
    'Hidden',
    '-EncodedCommand',
    encodePowerShell(elevated),
  ]
    .map(powerShellQuote)
    .join(',');
  const prompt = [
    `$ErrorActionPreference = 'Stop'`,
    'try {',
    `  Start-Process -FilePath 'powershell.exe' -Verb RunAs -WindowStyle Hidden -ArgumentList ${elevatedArgs}`,
    '} catch {',
    `  if ($_.Exception.NativeErrorCode -eq ${WINDOWS_CANCELLED} -or $_.Exception.InnerException.NativeErrorCode -eq ${WINDOWS_CANCELLED}) { exit ${WINDOWS_CANCELLED} }`,
    '  [Console]::Error.WriteLine($_.Exception.Message)',
    '  exit 1',
    '}',
  ].join('\n');
  return {
    command: 'powershell.exe',
    args: [...POWERSHELL_ARGS, '-EncodedCommand', encodePowerShell(prompt)],
  };
}

const POWERSHELL_ARGS = ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass'];

/** A POSIX shell word that stands for exactly `value`. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** An AppleScript string literal: backslash and double quote are its only escapes. */
export function appleScriptString(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/** A PowerShell single-quoted string; PowerShell also reads the typographic quotes as quotes. */
export function powerShellQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, '$&$&')}'`;
}

/** -EncodedCommand takes base64 of UTF-16LE. */
export function encodePowerShell(script: string): string {
  return Buffer.from(script, 'utf16le').toString('base64');
}
