// The error kinds the CLI knows, and the exit code each maps to (CLI-CONTRACT.md "Exit codes").
// Anything that is not one of these is a bug: reported as an internal error, stack only with --debug.
import { para } from './text.js';

export interface ErrorDetails {
  hint?: string;
  status?: number;
  requestId?: string;
  /** Adobe's or Zoho's error code (FLOW-2100-404), or our own for what a script may test (AEP_CREDENTIALS_MISSING). */
  code?: string;
  cause?: unknown;
}

/** Something the user can fix (credentials, state, a value the platform rejects): exit 1. */
export class UserError extends Error {
  readonly hint?: string;
  readonly status?: number;
  readonly requestId?: string;
  readonly code?: string;
  readonly exitCode: number = 1;
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, { cause: details.cause });
    this.name = new.target.name;
    this.hint = details.hint;
    this.status = details.status;
    this.requestId = details.requestId;
    this.code = details.code;
  }
}

/** Bad usage or invalid input (flags, templates, unknown table, schedule): exit 2. */
export class UsageError extends UserError {
  override readonly exitCode = 2;
}

/** A non-2xx answer from Platform, IMS or Zoho (or Zoho's HTTP-200 error bodies): exit 1. */
export class ApiError extends UserError {}

/** The network failed (DNS, refused, reset, timeout) after the retries: exit 1. */
export class NetworkError extends UserError {}

/** Ctrl-C or SIGTERM: exit 130. */
export class CancelledError extends UserError {
  override readonly exitCode = 130;
  constructor(
    message = 'Interrupted.',
    hint = para`Everything made so far is saved in the state file; run the same command again to finish (nothing is
      duplicated).`,
  ) {
    super(message, { hint });
  }
}

/** A 404 for the resource itself (not for a missing sandbox, which Adobe also answers with 404). */
export const isNotFound = (error: unknown): boolean =>
  error instanceof UserError && error.status === 404 && error.code !== 'FLOW-2100-404';

/** The value, or undefined when the resource does not exist (a 404 for it; a missing sandbox still throws). */
export async function unlessNotFound<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export const isUserError = (error: unknown): error is UserError => error instanceof UserError;
