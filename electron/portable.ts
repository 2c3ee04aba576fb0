/**
 * Portable mode: run from a USB stick, Ferry keeps its settings and logs beside itself instead
 * of in the user's profile, so they travel with the stick and leave nothing on the machine.
 */
import { posix, win32 } from 'node:path';

export interface PortableContext {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  /** process.execPath */
  execPath: string;
  exists(path: string): boolean;
}

/** Next to the executable, this file (any content) asks for portable mode. */
export const PORTABLE_MARKER = 'portable';
export const PORTABLE_DATA = 'ferry-data';

/** Where settings and logs go in portable mode, or null when Ferry is installed normally. */
export function portableDataDir(context: PortableContext): string | null {
  const path = context.platform === 'win32' ? win32 : posix;
  // electron-builder's portable .exe unpacks itself to a temporary folder and names its own.
  const portableExe = context.env.PORTABLE_EXECUTABLE_DIR;
  if (portableExe) return path.join(portableExe, PORTABLE_DATA);
  // An AppImage runs from a read-only mount; the file the user sees is $APPIMAGE.
  const appImage = context.env.APPIMAGE;
  const home = appImage ? path.dirname(appImage) : path.dirname(context.execPath);
  return context.exists(path.join(home, PORTABLE_MARKER)) ? path.join(home, PORTABLE_DATA) : null;
}
