/**
 * When the engine host is restarted with administrator rights: a request that reads a physical
 * disk was refused for lack of them. Asking only after a refusal means no prompt for images,
 * nor for disks this user can already read (the `disk` group on Linux).
 */
import type { ApiError, RequestName } from '../shared/api.js';

export interface RefusedRequest {
  name: RequestName;
  params: unknown;
  error: ApiError;
}

export interface HostRights {
  platform: NodeJS.Platform;
  /** The host already runs as root / Administrator: asking again would change nothing. */
  elevated: boolean;
}

export function needsElevation(refused: RefusedRequest, host: HostRights): boolean {
  if (host.elevated || refused.error.code !== 'PERMISSION_DENIED') return false;
  const source = requestSource(refused.name, refused.params);
  return source !== null && isDevicePath(source, host.platform);
}

/** The disk or image a request reads, if it reads one. */
export function requestSource(name: RequestName, params: unknown): string | null {
  if (name === 'inspect') return stringField(params, 'source');
  if (name === 'plan' || name === 'startJob') {
    return stringField(isRecord(params) ? params.spec : undefined, 'source');
  }
  return null;
}

/** A disk device as each platform names it (the same forms `ferry disks` lists). */
export function isDevicePath(path: string, platform: NodeJS.Platform): boolean {
  switch (platform) {
    case 'linux':
      return path.startsWith('/dev/');
    case 'darwin':
      return /^\/dev\/r?disk\d/.test(path);
    case 'win32':
      return /^\\\\[.?]\\/.test(path);
    default:
      return false;
  }
}

function stringField(value: unknown, key: string): string | null {
  if (!isRecord(value)) return null;
  const field = value[key];
  return typeof field === 'string' ? field : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
