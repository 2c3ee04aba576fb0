/**
 * Every failure Ferry reports is a FerryError: a stable code for scripts and the UI, a one-line
 * message saying what went wrong and where, and a hint saying what to do about it.
 */

/** Why a job could not go on. The kind decides the CLI exit status. */
export type ErrorKind = 'input' | 'failure' | 'cancelled';

export const ERROR_CODES = {
  USAGE: 'input',
  SOURCE_NOT_FOUND: 'input',
  SOURCE_UNREADABLE: 'input',
  SOURCE_TRUNCATED: 'input',
  PERMISSION_DENIED: 'input',
  BAD_PARTITION_TABLE: 'input',
  BAD_FILESYSTEM: 'input',
  BAD_IMAGE: 'input',
  UNSUPPORTED: 'input',
  LAYOUT_REFUSED: 'input',
  BAD_REGISTRY_HIVE: 'input',
  DESTINATION_EXISTS: 'input',
  DESTINATION_ON_SOURCE: 'input',
  TOOL_OUTPUT: 'failure',
  TOOL_MISSING: 'failure',
  IO: 'failure',
  VERIFY_MISMATCH: 'failure',
  CANCELLED: 'cancelled',
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FerryErrorDetails {
  /** The file, device or structure the error concerns, e.g. "/dev/sda" or "GPT header at LBA 1". */
  where?: string;
  /** What the user can do about it. */
  hint?: string;
  cause?: unknown;
}

export class FerryError extends Error {
  override readonly name = 'FerryError';
  readonly where: string | undefined;
  readonly hint: string | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    details: FerryErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.where = details.where;
    this.hint = details.hint;
  }

  get kind(): ErrorKind {
    return ERROR_CODES[this.code];
  }

  /** The single line shown to a person: what, where, and what to do. */
  toLine(): string {
    const where = this.where ? `${this.where}: ` : '';
    const hint = this.hint ? ` (${this.hint})` : '';
    return `${where}${this.message}${hint}`;
  }
}

export function isFerryError(value: unknown): value is FerryError {
  return value instanceof FerryError;
}
