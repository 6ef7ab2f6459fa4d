// Everything a Platform command needs, built once per run in dependency order: settings, the
// state file, IMS (cached token), the one Platform HTTP client, and the service clients on it.
import { FlowService } from '../aep/flow-service.js';
import { ImsAuth } from '../auth/ims.js';
import { loadSettings, requireAep, type Settings } from '../config/settings.js';
import { StateStore } from '../config/state.js';
import type { Context } from '../core/context.js';
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
  const network = {
    env: ctx.env,
    log: ctx.log,
    signal: ctx.signal,
    timeoutMs: settings.timeoutMs,
    retryBaseMs: settings.retryBaseMs,
    now: () => ctx.now().getTime(),
  };
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
    state: new StateStore(settings.home, settings.profileName),
    ims,
    platform,
    flow: new FlowService(platform),
  };
}
