// Everything a Platform command needs, built once per run in dependency order: settings, the
// state file, IMS (cached token), the one Platform HTTP client, and the service clients on it.
import { FlowService } from '../aep/flow-service.js';
import { ImsAuth } from '../auth/ims.js';
import { loadSettings, lockWaitMs, requireAep, type Settings } from '../config/settings.js';
import { StateStore } from '../config/state.js';
import type { Services } from '../converge/observe.js';
import type { Context, Logger } from '../core/context.js';
import { UserError, isUserError } from '../core/errors.js';
import { networkOptions } from '../http/client.js';
import { Platform } from '../http/platform.js';

export interface Session {
  settings: Settings;
  state: StateStore;
  ims: ImsAuth;
  platform: Platform;
  flow: FlowService;
}

export async function openSession(ctx: Context, settings?: Settings): Promise<Session> {
  settings ??= await loadSettings(ctx.env, ctx.flags, ctx.lockOwner);
  const aep = requireAep(settings);
  // One set of network settings for IMS and Platform: the same proxy, timeouts, retries and Ctrl-C.
  const network = networkOptions(ctx, settings);
  const ims = new ImsAuth({ imsUrl: settings.imsUrl, credentials: aep, store: settings.store, network });
  const platform = new Platform({
    ...network,
    baseUrl: settings.platformUrl,
    apiKey: aep.clientId,
    orgId: aep.orgId,
    sandbox: settings.sandbox,
    auth: ims,
    maxInFlight: settings.maxInFlight,
  });
  return {
    settings,
    state: new StateStore(settings.home, settings.profileName, { owner: ctx.lockOwner, waitMs: lockWaitMs(ctx.env) }),
    ims,
    platform,
    flow: new FlowService(platform),
  };
}

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
 * and clock (silent and the wall clock where none is given), and the path where a lookup needs it.
 */
export function sessionServices(
  session: Session,
  run: Pick<Context, 'log' | 'now'> = { log: SILENT, now: () => new Date() },
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
