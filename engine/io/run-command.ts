/**
 * External commands (lsblk, diskutil, PowerShell, wmic, blockdev) run through a CommandRunner, so
 * that every parser and every platform's logic can be tested with recorded outputs. It lives in
 * io, the lowest layer that runs tools: disk enumeration (disks/) and device geometry (io/) both
 * import it, and it imports nothing of Ferry's but the error contract.
 */
import { FerryError } from '../../shared/errors.js';

export interface CommandOutput {
  exitCode: number;
  stdout: Uint8Array;
  stderr: Uint8Array;
}

/**
 * Runs a program to completion. Resolves with its output whatever its exit status; rejects
 * when it could not be run at all, with an error whose `code` is "ENOENT" when it is missing.
 */
export type CommandRunner = (file: string, args: readonly string[]) => Promise<CommandOutput>;

/** Disk tools answer in well under a second; a hung one (a dead USB bridge) must not hang Ferry. */
const TIMEOUT_MS = 60_000;

export const execaRunner: CommandRunner = async (file, args) => {
  // Loaded on first use: most conversions of image files never run a tool, and execa costs
  // tens of milliseconds to load.
  const { execa } = await import('execa');
  const result = await execa(file, args, {
    encoding: 'buffer',
    stripFinalNewline: false,
    reject: false,
    stdin: 'ignore',
    timeout: TIMEOUT_MS,
    windowsHide: true,
    env: { LC_ALL: 'C' },
  });
  if (result.exitCode === undefined || result.timedOut) {
    throw Object.assign(new Error(result.originalMessage || result.shortMessage), {
      code: result.timedOut ? 'ETIMEDOUT' : result.code,
    });
  }
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
};

export interface Tool {
  file: string;
  args: readonly string[];
  /** What to do when the tool is missing or fails, e.g. "install util-linux". */
  hint: string;
}

export function describeTool(tool: Tool): string {
  return [tool.file, ...tool.args].join(' ');
}

/** Runs a tool; a missing program is TOOL_MISSING, one that could not run is TOOL_OUTPUT. */
export async function runTool(run: CommandRunner, tool: Tool): Promise<CommandOutput> {
  try {
    return await run(tool.file, tool.args);
  } catch (error) {
    const missing = (error as { code?: unknown } | null)?.code === 'ENOENT';
    const reason = error instanceof Error ? error.message : String(error);
    throw new FerryError(
      missing ? 'TOOL_MISSING' : 'TOOL_OUTPUT',
      missing ? `${tool.file} was not found` : `could not run: ${firstLine(reason)}`,
      { where: describeTool(tool), hint: tool.hint, cause: error },
    );
  }
}

/** Runs a tool and returns its stdout; a non-zero exit status is TOOL_OUTPUT with its stderr. */
export async function runToolOk(run: CommandRunner, tool: Tool): Promise<Uint8Array> {
  const output = await runTool(run, tool);
  if (output.exitCode !== 0) throw toolFailed(tool, output);
  return output.stdout;
}

export function toolFailed(tool: Tool, output: CommandOutput): FerryError {
  const stderr = firstLine(Buffer.from(output.stderr).toString('utf8'));
  const detail = stderr ? `: ${stderr}` : '';
  return new FerryError('TOOL_OUTPUT', `exited with status ${output.exitCode}${detail}`, {
    where: describeTool(tool),
    hint: tool.hint,
  });
}

/** Output that does not parse: the tool is named, the reason is one line. */
export function badOutput(tool: Tool | string, reason: string): FerryError {
  const where = typeof tool === 'string' ? tool : describeTool(tool);
  const hint =
    typeof tool === 'string' ? 'report this output as a Ferry bug' : `${tool.hint}, or report this`;
  return new FerryError('TOOL_OUTPUT', `unexpected output: ${reason}`, { where, hint });
}

/** The first line that is not blank, trimmed: what a one-line message can quote of a tool. */
export function firstLine(message: string): string {
  return (
    message
      .split(/\r?\n/)
      .map((line) => line.trim())
      .find((line) => line !== '') ?? ''
  );
}
