/**
 * What every page and every session of the app is held to: no navigation away from the app, no
 * new windows (web links go to the user's browser), no webviews, no permissions, the CSP.
 */
import { shell, type Session, type WebContents } from 'electron';
import {
  CONTENT_SECURITY_POLICY,
  externalUrl,
  isRendererUrl,
  navigationAllowed,
} from './web-security.js';

export function guardContents(contents: WebContents): void {
  const stay = (details: Electron.Event<{ url: string }>): void => {
    if (!navigationAllowed(details.url, contents.getURL())) details.preventDefault();
  };
  contents.on('will-navigate', stay);
  contents.on('will-redirect', stay);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const external = externalUrl(url);
    if (external) void shell.openExternal(external);
    return { action: 'deny' };
  });
}

export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  // renderer-protocol.ts sends the CSP with every file; this covers any other response a page
  // could receive. DevTools pages (devtools://) keep their own policy.
  session.webRequest.onHeadersReceived((details, callback) => {
    if (!isRendererUrl(details.url) && !externalUrl(details.url)) return callback({});
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      },
    });
  });
}
