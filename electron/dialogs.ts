/** Native file and folder pickers, attached to the window so they are modal to it. */
import { dialog, type BrowserWindow, type FileFilter } from 'electron';

/** Content decides the format (open-source.ts); the filter only helps the user find images. */
const DISK_IMAGE_FILTERS: FileFilter[] = [
  {
    name: 'Disk images',
    extensions: ['img', 'raw', 'dd', 'bin', 'iso', 'gz', 'vmdk', 'vhd', 'vhdx', 'vdi', 'qcow2'],
  },
  { name: 'All files', extensions: ['*'] },
];

export async function chooseFile(window: BrowserWindow, title: string): Promise<string | null> {
  const result = await dialog.showOpenDialog(window, { title, properties: ['openFile'] });
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

export async function chooseDiskImage(window: BrowserWindow): Promise<string | null> {
  const result = await dialog.showOpenDialog(window, {
    title: 'Open Disk Image',
    properties: ['openFile'],
    filters: DISK_IMAGE_FILTERS,
  });
  return result.canceled ? null : (result.filePaths[0] ?? null);
}

export async function chooseFolder(window: BrowserWindow, title: string): Promise<string | null> {
  const result = await dialog.showOpenDialog(window, {
    title,
    properties: ['openDirectory', 'createDirectory'],
  });
  return result.canceled ? null : (result.filePaths[0] ?? null);
}
