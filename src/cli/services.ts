// The composition root (gh's pkg/cmd/factory/default.go): the services a command works with, built
// once per run in dependency order, each only when first used, so `--help`, `templates list` and a
// command that fails on its flags build nothing, and a command that never reads Zoho builds no Zoho
// reader. The one place that reads settings and builds clients; cli/context.ts puts it in the context.
import type { Context, Services, ServicesOptions } from '../core/context.js';
import type { LibraryGuard } from '../auth/ims.js';

/** What the services are built from: the context without its services. */
type Inputs = Omit<Context, 'services'>;

/** `ctx.services`: one build per `region` (the zoho commands' --region), shared by every caller of the run. */
export function lazyServices(ctx: Inputs): (options?: ServicesOptions) => Promise<Services> {
  const built = new Map<string, Promise<Services>>();
  return (options = {}) => {
    const key = options.region ?? '';
    if (!built.has(key)) built.set(key, buildServices(ctx, options));
    return built.get(key)!;
  };
}

async function buildServices(ctx: Inputs, options: ServicesOptions): Promise<Services> {
  // Loaded here, not at start-up: got and the clients load only when a command asks for its services.
  const [{ loadSettings, lockWaitMs, requireAep }, { StateStore }, { networkOptions }] = await Promise.all([
    import('../config/settings.js'),
    import('../config/state.js'),
    import('../http/client.js'),
  ]);
  const [{ ImsAuth }, { Platform }, { FlowService }, { InletClient }, { ZohoCrm }] = await Promise.all([
    import('../auth/ims.js'),
    import('../http/platform.js'),
    import('../aep/flow-service.js'),
    import('../aep/inlet.js'),
    import('../zoho/crm.js'),
  ]);
  // Flag, then variable, then stored profile; the credentials' secrets registered for redaction.
  const settings = await loadSettings(ctx.env, { ...ctx.flags, region: options.region }, ctx.lockOwner);
  // Depends on settings (timeouts, retries) and the context (environment for proxies, log, Ctrl-C, clock).
  const network = networkOptions(ctx, settings);
  // Depends on settings: the state file of the profile, written under this run's lock owner.
  const state = new StateStore(settings.home, settings.profileName, {
    owner: ctx.lockOwner,
    waitMs: lockWaitMs(ctx.env),
  });
  const once = <T>(make: () => T) => {
    let value: T | undefined;
    return () => (value ??= make());
  };
  // Depends on the Adobe credentials (their UserError when missing), network, the credentials store.
  const ims = once(() => {
    const credentials = requireAep(settings);
    return new ImsAuth({ imsUrl: settings.imsUrl, credentials, store: settings.store, network, guard: IMS_GUARD });
  });
  // Depends on IMS: every Platform request carries its token, the org, the sandbox.
  const platform = once(() => {
    const aep = requireAep(settings);
    const { platformUrl: baseUrl, sandbox, maxInFlight } = settings;
    return new Platform({
      ...network,
      baseUrl,
      apiKey: aep.clientId,
      orgId: aep.orgId,
      sandbox,
      auth: ims(),
      maxInFlight,
    });
  });
  // Depends on Platform.
  const flow = once(() => new FlowService(platform()));
  // Depends on settings (the Zoho credentials, checked at its first call) and network; mints its own tokens.
  const zoho = once(() => ZohoCrm.open(ctx, settings));
  // Depends on IMS (the inlet takes the same token) and network; one per posts-in-flight asked.
  const inlets = new Map<number, InstanceType<typeof InletClient>>();
  const inlet = (maxInFlight: number) => {
    const aep = requireAep(settings);
    const { platformUrl } = settings;
    if (!inlets.has(maxInFlight))
      inlets.set(
        maxInFlight,
        new InletClient({ ...network, apiKey: aep.clientId, orgId: aep.orgId, platformUrl, auth: ims(), maxInFlight }),
      );
    return inlets.get(maxInFlight)!;
  };
  return {
    settings,
    state,
    network,
    now: ctx.now,
    get ims() {
      return ims();
    },
    get platform() {
      return platform();
    },
    get flow() {
      return flow();
    },
    get zoho() {
      return zoho();
    },
    inlet,
  };
}

/**
 * aio-lib-ims's debug output (the client secret among it) kept from the terminal: the variables that
 * turn it on are removed before the library loads, and console.log is muted while it runs.
 */
let mutes = 0;
let consoleLog = console.log;
const IMS_GUARD: LibraryGuard = {
  beforeLoad(variables) {
    for (const name of variables) delete process.env[name];
  },
  async muted(run) {
    if (mutes++ === 0) {
      consoleLog = console.log;
      console.log = () => undefined;
    }
    try {
      return await run();
    } finally {
      if (--mutes === 0) console.log = consoleLog;
    }
  },
};
