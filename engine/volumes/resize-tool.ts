/**
 * Runs the tools a resize needs (e2fsck, resize2fs, ntfsresize) on a temporary copy. They live in
 * sbin folders that a user's PATH often lacks, so those are searched too. A run is cancelled
 * through the job's AbortSignal, and its output is kept so that a failure quotes the tool.
 */
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { FerryError } from '../../shared/errors.js';
import { firstLine } from '../io/run-command.js';

const SBIN_FOLDERS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** The full path of an installed program, or null when it is not installed. */
export async function findTool(name: string): Promise<string | null> {
  const folders = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SBIN_FOLDERS];
  const file = process.platform === 'win32' ? `${name}.exe` : name;
  for (const folder of folders) {
    const path = join(folder, file);
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // Not in this folder; the next may have it.
    }
  }
  return null;
}

export interface ResizeToolRun {
  /** The program's name, e.g. "resize2fs". */
  name: string;
  args: readonly string[];
  /** The Debian package that installs it, for the hint of TOOL_MISSING. */
  packageName: string;
  /** What the run works on, for messages: the partition, not the temporary file. */
  where: string;
  /** Exit statuses that are not failures; by default only 0. */
  accepts?: readonly number[];
  /** Written to the program's standard input (answers to its questions). */
  input?: string;
  signal?: AbortSignal | undefined;
}

export interface ToolOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a tool to completion. Missing: TOOL_MISSING. Cancelled: CANCELLED (the process is
 * killed). An exit status it does not accept: TOOL_OUTPUT quoting its last line.
 */
export async function runResizeTool(run: ResizeToolRun): Promise<ToolOutput> {
  if (run.signal?.aborted) throw cancelled(run.where);
  const path = await findTool(run.name);
  if (!path) throw toolMissing(run.name, run.packageName, run.where);
  // Loaded on first use, as in run-command.ts: most conversions resize nothing.
  const { execa } = await import('execa');
  const result = await execa(path, run.args, {
    reject: false,
    ...(run.input === undefined ? { stdin: 'ignore' as const } : { input: run.input }),
    ...(run.signal && { cancelSignal: run.signal }),
    env: { LC_ALL: 'C' },
    windowsHide: true,
  });
  if (result.isCanceled) throw cancelled(run.where);
  if (result.exitCode === undefined) {
    const reason = result.signal
      ? `was killed by ${result.signal}`
      : `could not be run: ${firstLine(result.shortMessage ?? '')}`;
    throw toolError(run, `${run.name} ${reason}`);
  }
  const done = { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  if (!(run.accepts ?? [0]).includes(result.exitCode)) {
    const quoted = verdict(done);
    throw toolError(
      run,
      `${run.name} failed (exit status ${result.exitCode})${quoted ? `: ${quoted}` : ''}`,
    );
  }
  return done;
}

/** `purpose` says what needs the tool, e.g. "to shrink the ext4 filesystem". */
export function toolMissing(
  name: string,
  packageName: string,
  where: string,
  purpose = '',
  alternative = '',
): FerryError {
  return new FerryError('TOOL_MISSING', `${name} is not installed${purpose && ` ${purpose}`}`, {
    where,
    hint: `install ${packageName} (it provides ${name}) and try again${alternative && `, or ${alternative}`}`,
  });
}

function toolError(run: ResizeToolRun, message: string): FerryError {
  return new FerryError('TOOL_OUTPUT', message, {
    where: run.where,
    hint: `${run.name} worked on a temporary copy and the source is untouched; check the filesystem on the source with its own tools, or keep the partition's size`,
  });
}

export function cancelled(where: string): FerryError {
  return new FerryError('CANCELLED', 'cancelled while resizing the filesystem', {
    where,
    hint: 'the temporary copy was removed; the source is untouched',
  });
}

/**
 * The line of a tool's output that says what went wrong: the last one naming an error (ntfsresize
 * prints its errors on stdout, then advice), else the last line of stderr, else of stdout.
 */
export function verdict(output: { stdout: string; stderr: string }): string {
  const lines = (text: string): string[] =>
    text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '');
  const all = [...lines(output.stdout), ...lines(output.stderr)];
  return (
    all.filter((line) => /error/i.test(line)).pop() ??
    lines(output.stderr).pop() ??
    lines(output.stdout).pop() ??
    ''
  );
}
