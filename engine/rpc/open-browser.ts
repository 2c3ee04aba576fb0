import { execa } from 'execa';

/**
 * Opens `url` in the default browser and returns without waiting for it: some openers stay
 * until the browser exits. `onFailure` hears why it could not be opened.
 */
export function openInBrowser(
  url: string,
  onFailure: (message: string) => void,
  platform: NodeJS.Platform = process.platform,
): void {
  const [command, ...args] = openerFor(platform, url);
  const opener = execa(command!, args, { detached: true, stdio: 'ignore', cleanup: false });
  opener.catch((error: Error) => onFailure(error.message.split('\n')[0] ?? String(error)));
  opener.unref();
}

function openerFor(platform: NodeJS.Platform, url: string): string[] {
  switch (platform) {
    case 'darwin':
      return ['open', url];
    case 'win32':
      // `start` is built into cmd; its first quoted argument is a window title.
      return ['cmd', '/c', 'start', '""', url];
    default:
      return ['xdg-open', url];
  }
}
