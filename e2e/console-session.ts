/**
 * A real `ferry console` and a real Chromium driven by Playwright: what the wizard walk uses.
 * Debian's Chromium, because Playwright's own browser download cannot run here.
 */
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { chromium, type Browser } from 'playwright-core';

const BIN = fileURLToPath(new URL('../bin/ferry.js', import.meta.url));
export const CHROMIUM = process.env.FERRY_CHROMIUM ?? '/usr/bin/chromium';

export interface ConsoleSession {
  url: string;
  stop(): Promise<void>;
}

/** Starts `ferry console` on a free port and returns the URL with its token, as printed. */
export async function startConsole(): Promise<ConsoleSession> {
  const child: ResultPromise = execa('node', [BIN, 'console', '--port', '0'], { reject: false });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`no URL from ferry console:\n${seen}`)),
      20_000,
    );
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void child.then(() => reject(new Error(`ferry console exited:\n${seen}`)));
  });
  return {
    url,
    async stop() {
      child.kill('SIGTERM');
      await child;
    },
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}
