// The single place errors become output and exit codes (gh's cmd.go, wrangler's handleError):
// one paragraph and a hint on stderr, or the contract's `error` object on stdout with --json.
import type { GlobalFlags, Io } from '../core/context.js';
import { ApiError, CancelledError, NetworkError, UsageError, UserError, isUserError } from '../core/errors.js';
import { carryFlags, type HintFlags } from '../core/hint.js';
import { redact } from '../core/redact.js';
import { para } from '../core/text.js';
import { makeUi } from './output.js';

type Env = Record<string, string | undefined>;

/** A machine code for every error: Adobe's when it gave one, else the kind of failure. */
function errorCode(error: unknown): string {
  if (!isUserError(error)) return 'INTERNAL';
  if (error.code) return error.code;
  if (error instanceof CancelledError) return 'CANCELLED';
  if (error instanceof UsageError) return 'USAGE';
  if (error instanceof NetworkError) return 'NETWORK';
  if (error instanceof ApiError) return 'API';
  return 'FAILED';
}

/** Adobe answers an unknown sandbox with FLOW-2100-404 from every service: one message for it everywhere. */
function sandboxNotFound(error: UserError, env: Env, flags: GlobalFlags | undefined): UserError {
  // The sandbox that was sent, which the HTTP layer's hint names; else what this run asked for.
  const name =
    /\('([a-z0-9-]+)'\)/.exec(error.hint ?? '')?.[1] ??
    /[Ss]andbox '([a-z0-9-]+)'/.exec(error.message)?.[1] ??
    flags?.sandbox ??
    (env.AEP_SANDBOX?.trim() || 'prod');
  return new UserError(`Sandbox '${name}' not found in this organization.`, {
    hint: para`Pass --sandbox (or set AEP_SANDBOX) to one of your organization's sandboxes, as the Experience
      Platform UI lists them (aep-zoho doctor --sandbox <name> checks one).`,
    status: error.status,
    requestId: error.requestId,
    code: error.code,
  });
}

export interface ReportOptions {
  io: Io;
  env: Env;
  json: boolean;
  debug: boolean;
  flags?: GlobalFlags;
  hintFlags: HintFlags;
}

/** The single place errors become output and exit codes (gh's cmd.go, wrangler's handleError). */
export function reportError(raw: unknown, { io, env, json, debug, flags, hintFlags }: ReportOptions): number {
  const error = isUserError(raw) && raw.code === 'FLOW-2100-404' ? sandboxNotFound(raw, env, flags) : raw;
  const known = isUserError(error);
  const exitCode = known ? error.exitCode : 1;
  const message = carryFlags(
    known ? error.message : `Internal error: ${(error as Error)?.message ?? String(error)}`,
    hintFlags,
  );
  const rawHint = known
    ? (error.hint ??
      (error instanceof UsageError ? "Run 'aep-zoho --help' (or '<command> --help') for usage." : undefined))
    : 'This is a bug in aep-zoho. Re-run with --debug and report the output (secrets are masked).';
  const hint = rawHint ? carryFlags(rawHint, hintFlags) : undefined;
  const ui = makeUi(io, { env }, 'stderr');
  if (json && (error as { printed?: boolean }).printed) {
    // The command's one JSON document is out already (the emulator's): Ctrl-C adds nothing.
  } else if (json) {
    // Printed once: the JSON document is the whole report.
    const body = {
      error: {
        message,
        code: errorCode(error),
        ...(hint ? { hint } : {}),
        ...(known && error.status ? { status: error.status } : {}),
        ...(known && error.requestId ? { requestId: error.requestId } : {}),
      },
    };
    io.stdout.write(`${redact(JSON.stringify(body, null, 2))}\n`);
  } else {
    ui.line(`${ui.red('Error:')} ${message}`);
    if (hint) ui.line(`${ui.dim('Hint:')} ${hint}`);
    if (known && error.requestId) ui.line(ui.dim(`Request id: ${error.requestId}`));
  }
  if (debug && error instanceof Error && error.stack) ui.line(ui.dim(error.stack));
  return exitCode;
}
