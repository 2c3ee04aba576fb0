import type { ApiError } from '../../shared/api.js';
import { isFerryError } from '../../shared/errors.js';

/**
 * A failure as it crosses to the UI: a FerryError's code and its one line. Anything else is a
 * bug in Ferry, reported as INTERNAL with its message so it can be told apart and reported.
 */
export function toApiError(error: unknown): ApiError {
  if (isFerryError(error)) return { code: error.code, message: error.toLine() };
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: `internal error: ${message}` };
}
