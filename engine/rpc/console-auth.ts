/**
 * Who may use `ferry console`: whoever holds the token printed at start. The first page load
 * brings it as `?token=`, which then becomes an HttpOnly cookie so the page's assets and its
 * WebSocket carry it without script ever seeing it.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Cookies are not kept apart by port, so two consoles on one machine need two names. */
export function cookieName(port: number): string {
  return `ferry_console_${port}`;
}

export function tokenCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

export interface PresentedToken {
  valid: boolean;
  /** It came as `?token=`: the page should set the cookie. */
  fromQuery: boolean;
}

/** The token a request presents, in the query or in the cookie; the query wins. */
export function presentedToken(
  request: IncomingMessage,
  url: URL,
  port: number,
  token: string,
): PresentedToken {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery !== null) return { valid: sameSecret(fromQuery, token), fromQuery: true };
  const fromCookie = readCookie(request.headers.cookie, cookieName(port));
  return { valid: fromCookie !== null && sameSecret(fromCookie, token), fromQuery: false };
}

/** Compared through digests, in constant time, so a wrong guess learns nothing from timing. */
function sameSecret(candidate: string, token: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(candidate), digest(token));
}

function readCookie(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name)
      return part.slice(separator + 1).trim();
  }
  return null;
}

/** The Host header, if it is a plain host[:port] (it ends up in a response header). */
export function requestHost(request: IncomingMessage): string | null {
  const host = request.headers.host;
  return host !== undefined && /^[A-Za-z0-9.\-:[\]]{1,300}$/.test(host) ? host : null;
}

/**
 * A WebSocket must come from a page of this server: its Origin must be the origin the request
 * was addressed to. Relative to Host rather than to one fixed address, so a console reached
 * through an SSH tunnel or by another of the machine's names still works; a page of another
 * site that points at this server (DNS rebinding included) still has no token.
 */
export function isSameOrigin(request: IncomingMessage, host: string): boolean {
  return request.headers.origin === `http://${host}`;
}
