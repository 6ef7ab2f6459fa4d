// What tasks call the run's services (core/context.ts `Services`, built by cli/services.ts and
// asked for with `ctx.services()`), the check of every credential a command needs at once, and the
// services as observe's narrower Services.
import type { Settings } from '../config/settings.js';
import type { Services } from '../converge/observe.js';
import type { Context, Logger, Services as RunServices } from '../core/context.js';
import { UserError, isUserError } from '../core/errors.js';

/** The run's services, under the name the tasks know them by. */
export type Session = RunServices;

/**
 * Every credential a command needs, checked together: one error that names all that is missing,
 * Adobe's and Zoho's at once, instead of one per attempt.
 */
export function requireAll(settings: Settings, checks: Array<(settings: Settings) => unknown>): void {
  const missing = checks.flatMap((check) => {
    try {
      check(settings);
      return [];
    } catch (error) {
      if (isUserError(error)) return [error];
      throw error;
    }
  });
  if (missing.length === 1) throw missing[0];
  if (missing.length)
    throw new UserError(missing.map((error) => error.message).join(' '), {
      code: 'CREDENTIALS_MISSING',
      hint: missing
        .map((error) => error.hint)
        .filter(Boolean)
        .join(' '),
    });
}

/** Nothing said: the finders of adoption and of the flow lists read quietly. */
const SILENT: Logger = { info() {}, warn() {}, debug() {} };

/**
 * The session as observe's Services: its platform, state, sandbox and profile, with the run's log
 * and clock (silent, and the services' clock, where none is given), and the path where a lookup needs it.
 */
export function sessionServices(
  session: Session,
  run: Pick<Context, 'log' | 'now'> = { log: SILENT, now: session.now },
  path?: Services['path'],
): Services {
  return {
    platform: session.platform,
    state: session.state,
    sandbox: session.settings.sandbox,
    profile: session.settings.profileName,
    log: run.log,
    now: run.now,
    ...(path ? { path } : {}),
  };
}
