import { describe, expect, it } from 'vitest';
import { FerryError } from '../../shared/errors.js';
import { badOutput, execaRunner, runTool, runToolOk, type Tool } from './run-command.js';

const tool = (file: string, ...args: string[]): Tool => ({ file, args, hint: 'install it' });

describe('execaRunner', () => {
  it('returns stdout as bytes, stderr and the exit status of a command that ran', async () => {
    const output = await execaRunner('sh', [
      '-c',
      "printf 'A\\000B\\000'; printf 'oops\\n' >&2; exit 3",
    ]);
    expect(output.exitCode).toBe(3);
    expect(Buffer.from(output.stdout)).toEqual(Buffer.from('A\0B\0', 'latin1'));
    expect(Buffer.from(output.stderr).toString()).toBe('oops\n');
  });

  it('rejects with code ENOENT for a program that does not exist', async () => {
    await expect(execaRunner('ferry-no-such-tool', [])).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('runTool and runToolOk', () => {
  it('turns a missing program into TOOL_MISSING naming the command and the hint', async () => {
    const error = await runTool(execaRunner, tool('ferry-no-such-tool', '--json')).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(FerryError);
    expect(error).toMatchObject({
      code: 'TOOL_MISSING',
      message: 'ferry-no-such-tool was not found',
      where: 'ferry-no-such-tool --json',
      hint: 'install it',
    });
  });

  it('turns a failed run into TOOL_OUTPUT with the first line of stderr', async () => {
    const failing = tool(
      'sh',
      '-c',
      "printf '\\nlsblk: unknown column: PARTN\\nmore\\n' >&2; exit 1",
    );
    await expect(runToolOk(execaRunner, failing)).rejects.toMatchObject({
      code: 'TOOL_OUTPUT',
      message: 'exited with status 1: lsblk: unknown column: PARTN',
    });
  });

  it('turns any other failure to start into TOOL_OUTPUT', async () => {
    const refusing = () =>
      Promise.reject(Object.assign(new Error('spawn EACCES'), { code: 'EACCES' }));
    await expect(runTool(refusing, tool('lsblk'))).rejects.toMatchObject({
      code: 'TOOL_OUTPUT',
      message: 'could not run: spawn EACCES',
    });
  });

  it('returns stdout of a command that succeeded', async () => {
    expect(Buffer.from(await runToolOk(execaRunner, tool('printf', 'ok'))).toString()).toBe('ok');
  });

  it('words unexpected output', () => {
    expect(badOutput(tool('lsblk', '-J'), 'no "blockdevices" list')).toMatchObject({
      code: 'TOOL_OUTPUT',
      message: 'unexpected output: no "blockdevices" list',
      where: 'lsblk -J',
    });
  });
});
