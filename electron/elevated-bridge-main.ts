/** Entry of dist/electron/elevated-bridge.js, the script the elevation prompt runs. */
import { isFerryError } from '../shared/errors.js';
import { parseBridgeArgs, runBridge } from './elevated-bridge.js';

try {
  process.exitCode = await runBridge({
    ...parseBridgeArgs(process.argv.slice(2)),
    execPath: process.execPath,
  });
} catch (error) {
  console.error(isFerryError(error) ? error.toLine() : String(error));
  process.exitCode = 1;
}
